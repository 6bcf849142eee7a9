// CSRF protection for cookie-authenticated requests that change something: the browser must say
// the request comes from Minos's own pages (Fetch Metadata, else the Origin header). Bearer-token
// requests carry no ambient credentials and need no such check.
export function isCrossSiteRequest(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  const origin = req.headers.get("origin");
  if (!origin) return false; // not a browser-initiated cross-origin request
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
