// Pages need a signed-in user: a page request without a valid session goes to the sign-in page,
// which brings the user back afterwards. APIs answer 401 themselves; assets are public.
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolveSession, sessionTokenFrom } from "../../access/auth/sessions";
import { db } from "../../platform/db/client";

const PUBLIC_PREFIXES = ["/api/", "/_next/", "/login", "/favicon", "/robots.txt"];

/** Returns true when it answered (a redirect); false to let the request through. */
export async function guardPage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (PUBLIC_PREFIXES.some((p) => url.pathname.startsWith(p))) return false;
  if (/\.[a-z0-9]+$/i.test(url.pathname)) return false; // files from public/
  const token = sessionTokenFrom(req.headers.cookie);
  if (token && (await resolveSession(db(), token))) return false;
  const next = url.pathname + url.search;
  res.writeHead(302, { location: `/login${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}` });
  res.end();
  return true;
}
