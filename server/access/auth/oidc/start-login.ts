// Starts a single sign-on: remembers state, nonce and PKCE verifier in the sealed flow cookie and
// sends the browser to the identity provider's authorization endpoint.
import * as client from "openid-client";
import type { Logger } from "pino";
import { localPath } from "../../../model/local-path";
import type { SecretKey } from "../../../platform/secrets/secret-key";
import { CALLBACK_PATH, type OidcSettings } from "./config";
import { oidcConfiguration } from "./discovery";
import { flowCookie } from "./flow-state";
import { isSecureRequest, redirectTo, redirectToLogin, requestOrigin } from "./responses";

export async function startOidcLogin(opts: {
  request: Request;
  settings: OidcSettings | null;
  key: SecretKey;
  log: Logger;
}): Promise<Response> {
  const { request, settings } = opts;
  if (!settings) return redirectToLogin("sso_not_configured");
  let config: client.Configuration;
  try {
    config = await oidcConfiguration(settings);
  } catch (err) {
    opts.log.error({ err, issuer: settings.issuer.href }, "OIDC discovery failed");
    return redirectToLogin("sso_unreachable");
  }
  const verifier = client.randomPKCECodeVerifier();
  const flow = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier,
    redirectUri: settings.redirectUrl ?? `${requestOrigin(request)}${CALLBACK_PATH}`,
    next: localPath(new URL(request.url).searchParams.get("next")),
    startedAt: Date.now(),
  };
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: flow.redirectUri,
    scope: settings.scopes.join(" "),
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
  return redirectTo(authorizationUrl.href, [
    flowCookie(opts.key, flow, { secure: isSecureRequest(request) }),
  ]);
}
