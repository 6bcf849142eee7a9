// CSRF protection for cookie-authenticated requests that change something: the browser must say
// the request comes from Minos's own pages (Fetch Metadata, else the Origin header). Bearer-token
// requests carry no ambient credentials and need no such check.
import { requestHost } from "../../platform/http/forwarded";

export function isCrossSiteRequest(req: Request, opts: { trustProxy?: boolean } = {}): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  const origin = req.headers.get("origin");
  if (!origin) return false; // not a browser-initiated cross-origin request
  const host = requestHost(req.headers, opts);
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
