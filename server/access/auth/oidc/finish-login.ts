// Completes a single sign-on at the callback: checks the provider's answer against the flow cookie
// (state, nonce, PKCE, issuer, signature: all by openid-client), maps the groups to grants,
// provisions the user, opens a session and sends the browser on. Every outcome is audited as
// auth.oidc_login; failures land on the login page as a sentence, details in the server log.
import * as client from "openid-client";
import type { Logger } from "pino";
import { grantsForGroups } from "../../../model/oidc-role-map";
import type { PrismaClient } from "../../../platform/db/client";
import type { SecretKey } from "../../../platform/secrets/secret-key";
import { recordAudit } from "../../audit/record-audit";
import { createSession, sessionCookie } from "../sessions";
import { identityFromTokens } from "./claims";
import type { OidcSettings } from "./config";
import { oidcConfiguration } from "./discovery";
import { clearFlowCookie, readFlowState } from "./flow-state";
import type { OidcLoginError } from "./login-errors";
import { provisionOidcUser } from "./provision-user";
import { isSecureRequest, redirectTo, redirectToLogin } from "./responses";

/** What a failure of openid-client or the network means for the person signing in. */
export function classifyOidcError(err: unknown): { code: OidcLoginError; reason: string } {
  if (err instanceof client.AuthorizationResponseError) {
    const cancelled = err.error === "access_denied";
    return { code: cancelled ? "sso_cancelled" : "sso_provider_error", reason: `provider said ${err.error}` };
  }
  if (err instanceof client.ResponseBodyError) {
    return { code: "sso_provider_error", reason: `provider refused the code exchange (${err.error})` };
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    return { code: "sso_provider_error", reason: "provider refused the access token at userinfo" };
  }
  const name = (err as Error | undefined)?.name;
  if (err instanceof TypeError || name === "AbortError" || name === "TimeoutError") {
    return { code: "sso_unreachable", reason: "identity provider unreachable" };
  }
  return { code: "sso_invalid_response", reason: `response failed validation: ${(err as Error)?.message}` };
}

export async function finishOidcLogin(opts: {
  db: PrismaClient;
  request: Request;
  settings: OidcSettings | null;
  key: SecretKey;
  log: Logger;
  address: string | null;
}): Promise<Response> {
  const { db, request, settings, log } = opts;
  const secure = isSecureRequest(request);
  const cleared = clearFlowCookie({ secure });
  if (!settings) return redirectToLogin("sso_not_configured", [cleared]);

  const audit = (
    result: "ok" | "denied",
    who: { actor: string; username?: string | null },
    details: Record<string, unknown>,
  ) =>
    recordAudit(db, {
      actor: who.actor,
      action: "auth.oidc_login",
      target: who.username ? `user:${who.username}` : null,
      address: opts.address,
      result,
      details: { issuer: settings.issuer.href, ...details },
    });
  const fail = async (code: OidcLoginError, reason: string) => {
    await audit("denied", { actor: "anonymous" }, { reason });
    return redirectToLogin(code, [cleared]);
  };

  const flow = readFlowState(opts.key, request.headers.get("cookie"));
  if (!flow) return fail("sso_expired", "no valid flow cookie (expired, altered or from another browser)");

  let config: client.Configuration;
  try {
    config = await oidcConfiguration(settings);
  } catch (err) {
    log.error({ err, issuer: settings.issuer.href }, "OIDC discovery failed");
    return fail("sso_unreachable", "discovery failed");
  }

  // The registered redirect URI with the provider's parameters: the URL the request arrived at may
  // differ behind a reverse proxy, and the token request must name the same URI as the authorization.
  const current = new URL(flow.redirectUri);
  current.search = new URL(request.url).search;
  let signedIn: Awaited<ReturnType<typeof identityFromTokens>>;
  try {
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    signedIn = await identityFromTokens(config, settings, tokens);
  } catch (err) {
    const { code, reason } = classifyOidcError(err);
    log.warn({ err, issuer: settings.issuer.href, code }, "OIDC sign-in failed");
    return fail(code, reason);
  }

  const { identity, groups } = signedIn;
  const grants = grantsForGroups(settings.roleMap, groups);
  const about = { subject: identity.subject, groups: groups.slice(0, 50) };
  // Someone Minos does not know yet is named as the provider calls them, marked so as not to be
  // mistaken for a Minos user of that name.
  const claimed = `sso:${identity.preferredUsername ?? identity.subject}`;
  const result = await provisionOidcUser(db, identity, grants);
  if (result.status === "disabled") {
    await audit(
      "denied",
      { actor: result.username, username: result.username },
      { reason: "account disabled", ...about },
    );
    return redirectToLogin("sso_disabled", [cleared]);
  }
  if (result.status === "no_role") {
    const actor = result.username ?? claimed;
    await audit(
      "denied",
      { actor, username: result.username },
      { reason: "no group has a role in Minos", ...about },
    );
    return redirectToLogin("sso_no_role", [cleared]);
  }

  const { user } = result;
  const session = await createSession(db, {
    userId: user.id,
    address: opts.address,
    userAgent: request.headers.get("user-agent"),
  });
  await audit(
    "ok",
    { actor: user.username, username: user.username },
    { ...about, grants, ...(result.created ? { created: true } : {}) },
  );
  const maxAgeSeconds = (session.expiresAt.getTime() - Date.now()) / 1000;
  return redirectTo(flow.next, [cleared, sessionCookie(session.token, { secure, maxAgeSeconds })]);
}
