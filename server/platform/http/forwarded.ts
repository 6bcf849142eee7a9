// What the browser asked for, as Minos may believe it: the Host header and the request's own scheme, or
// the X-Forwarded-Host / X-Forwarded-Proto of a reverse proxy only when MINOS_TRUST_PROXY=1 says one
// stands in front (anyone can send those headers to a Minos reached directly).
import { env } from "../env";

const trusted = (trust?: boolean) => trust ?? env().MINOS_TRUST_PROXY;

/** The host the browser addressed, e.g. "minos.example.com" or "127.0.0.1:3000". */
export function requestHost(headers: Headers, opts: { trustProxy?: boolean } = {}): string | null {
  const forwarded = trusted(opts.trustProxy)
    ? headers.get("x-forwarded-host")?.split(",")[0]?.trim()
    : undefined;
  return forwarded || headers.get("host");
}

/** Whether the browser reached Minos over HTTPS (directly, or through a trusted TLS proxy). */
export function requestIsHttps(request: Request, opts: { trustProxy?: boolean } = {}): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  return (
    trusted(opts.trustProxy) && request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https"
  );
}
