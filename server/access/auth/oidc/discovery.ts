// The identity provider's metadata and the client configuration, discovered once per process and
// kept; a failed discovery is forgotten so the next sign-in tries again.
import * as client from "openid-client";
import type { OidcSettings } from "./config";

// On globalThis: Next.js bundles each route on its own, and both sign-in routes share one cache.
const KEY = Symbol.for("minos.oidc.discovery");
const holder = globalThis as { [KEY]?: Map<string, Promise<client.Configuration>> };
holder[KEY] ??= new Map();
const cache = holder[KEY];

/** Plain HTTP is accepted only for loopback issuers (the configuration refuses any other). */
function isHttp(url: URL): boolean {
  return url.protocol === "http:";
}

export function oidcConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const key = JSON.stringify([settings.issuer.href, settings.clientId, settings.clientSecret ?? ""]);
  let pending = cache.get(key);
  if (!pending) {
    pending = client
      .discovery(
        settings.issuer,
        settings.clientId,
        settings.clientSecret ? { client_secret: settings.clientSecret } : undefined,
        // client_secret_basic is the OAuth default and what Keycloak, Dex and Entra ID all accept.
        settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
        { execute: isHttp(settings.issuer) ? [client.allowInsecureRequests] : [], timeout: 10 },
      )
      .catch((err: unknown) => {
        cache.delete(key);
        throw err;
      });
    cache.set(key, pending);
  }
  return pending;
}
