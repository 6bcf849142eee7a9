// Redirect responses of the sign-in routes. Locations are paths on this site, so they hold behind a
// reverse proxy whatever host name the request arrived with.

import type { Logger } from "pino";
import { requestHost, requestIsHttps } from "../../../platform/http/forwarded";
import type { OidcLoginError } from "./login-errors";

export function redirectTo(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(null, { status: 303, headers });
}

export function redirectToLogin(error: OidcLoginError, cookies: string[] = []): Response {
  return redirectTo(`/login?error=${error}`, cookies);
}

/** This site's origin as the browser sees it (and as a trusted proxy forwards it: MINOS_TRUST_PROXY). */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  return `${requestIsHttps(request) ? "https:" : url.protocol}//${requestHost(request.headers) ?? url.host}`;
}

/** Whether cookies must be Secure: the request reached Minos over HTTPS. */
export function isSecureRequest(request: Request): boolean {
  return requestIsHttps(request);
}

/** Runs a sign-in step; an unexpected failure goes to the log and the person to the login page. */
export async function orLoginPage(log: Logger, step: () => Promise<Response>): Promise<Response> {
  try {
    return await step();
  } catch (err) {
    log.error({ err }, "single sign-on failed");
    return redirectToLogin("sso_failed");
  }
}
