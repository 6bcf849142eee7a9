// The identity and groups of a signed-in person: from the ID token, completed from the userinfo
// endpoint when the ID token leaves out the groups or the user name (Keycloak and Dex put them in
// the ID token; providers that follow the spec closely, such as oidc-provider, only in userinfo).
import * as client from "openid-client";
import { groupsFromClaim } from "../../../model/oidc-role-map";
import type { OidcSettings } from "./config";
import type { OidcIdentity } from "./provision-user";

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

export async function identityFromTokens(
  config: client.Configuration,
  settings: OidcSettings,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
): Promise<{ identity: OidcIdentity; groups: string[] }> {
  const idToken = tokens.claims();
  if (!idToken) throw new client.ClientError("the token response has no ID token");
  let claims: Record<string, unknown> = { ...idToken };
  const incomplete = !(settings.groupsClaim in idToken) || !("preferred_username" in idToken);
  if (incomplete && config.serverMetadata().userinfo_endpoint) {
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
    claims = { ...userinfo, ...idToken };
  }
  return {
    identity: {
      issuer: idToken.iss,
      subject: idToken.sub,
      preferredUsername: str(claims.preferred_username),
      email: str(claims.email),
      name: str(claims.name),
    },
    groups: groupsFromClaim(claims[settings.groupsClaim]),
  };
}
