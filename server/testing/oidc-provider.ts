// A real OpenID Provider (oidc-provider) on a loopback port, for the tests: the unit tests drive it
// with plain HTTP requests, the browser tests through its sign-in pages. Its development
// interactions accept any login name with any password; the account's claims (groups included)
// come from `accounts`, which a test may change between sign-ins.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type ClientMetadata } from "oidc-provider";

export interface TestAccount {
  preferred_username?: string;
  name?: string;
  email?: string;
  groups: string[];
}

export interface TestProvider {
  issuer: string;
  /** Login name → claims; the subject is the login name. */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

export async function startTestProvider(opts: {
  /** 0 (default) for any free port. */
  port?: number;
  clients: ClientMetadata[];
  accounts: Record<string, TestAccount>;
}): Promise<TestProvider> {
  const accounts = new Map(Object.entries(opts.accounts));
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: c.client_secret ? "client_secret_basic" : "none",
      ...c,
    })),
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...accounts.get(id) }) };
    },
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username"],
      email: ["email"],
      groups: ["groups"],
    },
    scopes: ["openid", "profile", "email", "groups"],
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    jwks: {
      keys: [
        {
          ...privateKey.export({ format: "jwk" }),
          kid: randomBytes(6).toString("hex"),
          use: "sig",
          alg: "RS256",
        },
      ],
    },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
