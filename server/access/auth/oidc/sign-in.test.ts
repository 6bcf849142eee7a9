// Single sign-on end to end against a real OpenID Provider (oidc-provider on a loopback port): the
// authorization code flow with PKCE driven by plain HTTP requests, through Minos's own start and
// callback handlers, on a real Postgres.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRoleMap } from "../../../model/oidc-role-map";
import { createTestDatabase, type TestDatabase } from "../../../testing/database";
import { startTestProvider, type TestProvider } from "../../../testing/oidc-provider";
import { resolveSession, SESSION_COOKIE } from "../sessions";
import type { OidcSettings } from "./config";
import { finishOidcLogin } from "./finish-login";
import { FLOW_COOKIE, flowKeyFrom } from "./flow-state";
import { startOidcLogin } from "./start-login";

const MINOS = "http://minos.localhost:3000";
const CALLBACK = `${MINOS}/api/auth/oidc/callback`;
const log = pino({ level: "silent" });
const key = flowKeyFrom({ key: randomBytes(32), id: Buffer.alloc(8), source: "environment" });

/** Cookies by name, as a browser keeps them for one site. */
class Jar {
  private readonly cookies = new Map<string, string>();
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || pair.slice(eq + 1) === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
  }
  get(name: string) {
    return this.cookies.get(name);
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

let provider: TestProvider;
let database: TestDatabase;
let settings: OidcSettings;

beforeAll(async () => {
  provider = await startTestProvider({
    clients: [{ client_id: "minos", client_secret: "minos-test-secret", redirect_uris: [CALLBACK] }],
    accounts: {
      olivia: { preferred_username: "olivia", name: "Olivia Ops", groups: ["platform-admins", "staff"] },
      alice: { preferred_username: "Alice", name: "Alice from SSO", groups: ["dk-viewers"] },
      guest: { preferred_username: "guest", groups: ["visitors"] },
    },
  });
  database = await createTestDatabase();
  const roleMap = parseRoleMap(
    "platform-admins=admin;oncall=operator;managers=approver;dk-viewers=viewer@site:eu/dk/*",
  );
  if (!roleMap.ok) throw new Error(roleMap.problems.join("; "));
  settings = {
    issuer: new URL(provider.issuer),
    clientId: "minos",
    clientSecret: "minos-test-secret",
    scopes: ["openid", "profile", "email", "groups"],
    groupsClaim: "groups",
    roleMap: roleMap.entries,
    label: "Sign in with SSO",
  };
});

afterAll(async () => {
  await database?.drop();
  await provider?.close();
});

/** Follows the provider's redirects and answers its sign-in and consent pages, up to the callback. */
async function signInAtProvider(authorizationUrl: string, login: string, jar: Jar): Promise<string> {
  let url = authorizationUrl;
  for (let step = 0; step < 12; step++) {
    if (url.startsWith(CALLBACK)) return url;
    const res = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.store(res);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get("location") ?? "", url).href;
      continue;
    }
    const html = await res.text();
    expect(res.status, html).toBe(200);
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
    const prompt = html.match(/name="prompt" value="(\w+)"/)?.[1];
    if (!action || !prompt) throw new Error(`unexpected provider page: ${html.slice(0, 300)}`);
    const form = new URLSearchParams(
      prompt === "login" ? { prompt, login, password: "any password" } : { prompt },
    );
    const posted = await fetch(new URL(action, url), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    jar.store(posted);
    url = new URL(posted.headers.get("location") ?? "", url).href;
  }
  throw new Error("the provider never redirected back to Minos");
}

/** A whole sign-in in a fresh browser: Minos start → provider → Minos callback. */
async function signIn(login: string, next = "/machines") {
  const minos = new Jar();
  const start = await startOidcLogin({
    request: new Request(`${MINOS}/api/auth/oidc/login?next=${encodeURIComponent(next)}`),
    settings,
    key,
    log,
  });
  expect(start.status).toBe(303);
  minos.store(start);
  expect(minos.get(FLOW_COOKIE)).toBeTruthy();
  const callbackUrl = await signInAtProvider(start.headers.get("location") ?? "", login, new Jar());
  const done = await finishOidcLogin({
    db: database.db,
    request: new Request(callbackUrl, { headers: { cookie: minos.header() } }),
    settings,
    key,
    log,
    address: "192.0.2.7",
  });
  minos.store(done);
  return { status: done.status, location: done.headers.get("location"), minos, callbackUrl };
}

async function grantsOf(username: string) {
  return database.db.roleGrant.findMany({
    where: { user: { username } },
    select: { role: true, scope: true, source: true },
    orderBy: [{ source: "asc" }, { role: "asc" }],
  });
}

describe("single sign-on with OpenID Connect", () => {
  it("starts the flow with PKCE, state and nonce, keeping only a sealed flow cookie", async () => {
    const start = await startOidcLogin({
      request: new Request(`${MINOS}/api/auth/oidc/login?next=//evil.example/x`),
      settings,
      key,
      log,
    });
    const location = new URL(start.headers.get("location") ?? "");
    expect(location.origin).toBe(provider.issuer);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: "minos",
      redirect_uri: CALLBACK,
      response_type: "code",
      scope: "openid profile email groups",
      code_challenge_method: "S256",
    });
    for (const p of ["state", "nonce", "code_challenge"]) expect(location.searchParams.get(p)).toBeTruthy();
    const cookie = start.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(
      /^minos_oidc_flow=[\w-]+; Max-Age=600; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax$/,
    );
    // Nothing readable in the cookie: not the state, not the verifier.
    expect(cookie).not.toContain(location.searchParams.get("state"));
  });

  it("provisions a new user with the mapped roles, opens a session and goes to the page asked for", async () => {
    const result = await signIn("olivia", "/clusters?site=eu");
    expect(result).toMatchObject({ status: 303, location: "/clusters?site=eu" });
    const token = result.minos.get(SESSION_COOKIE);
    expect(token).toBeTruthy();
    expect(result.minos.get(FLOW_COOKIE)).toBeUndefined();
    const principal = await resolveSession(database.db, token ?? "");
    expect(principal).toMatchObject({
      kind: "user",
      username: "olivia",
      grants: [{ role: "admin", scope: "" }],
    });
    const user = await database.db.user.findUniqueOrThrow({ where: { username: "olivia" } });
    expect(user).toMatchObject({
      displayName: "Olivia Ops",
      oidcIssuer: `${provider.issuer}`,
      oidcSubject: "olivia",
      passwordHash: null,
    });
    const audit = await database.db.auditEntry.findFirst({
      where: { action: "auth.oidc_login" },
      orderBy: { id: "desc" },
    });
    expect(audit).toMatchObject({
      actor: "olivia",
      target: "user:olivia",
      result: "ok",
      address: "192.0.2.7",
    });
    expect(audit?.details).toMatchObject({
      groups: ["platform-admins", "staff"],
      grants: [{ role: "admin", scope: "" }],
      created: true,
    });
  });

  it("maps changed groups to changed grants on the next sign-in, and leaves local grants alone", async () => {
    await signIn("olivia");
    const user = await database.db.user.findUniqueOrThrow({ where: { username: "olivia" } });
    await database.db.roleGrant.create({
      data: { userId: user.id, role: "viewer", scope: "site:eu/se/*", source: "local" },
    });
    provider.accounts.set("olivia", { preferred_username: "olivia", groups: ["oncall", "managers"] });
    const again = await signIn("olivia");
    expect(again.status).toBe(303);
    expect(await grantsOf("olivia")).toEqual([
      { role: "viewer", scope: "site:eu/se/*", source: "local" },
      { role: "operator", scope: "", source: "oidc" },
      { role: "approver", scope: "", source: "oidc" },
    ]);
    const principal = await resolveSession(database.db, again.minos.get(SESSION_COOKIE) ?? "");
    expect(principal?.grants).toHaveLength(3);
    expect(await database.db.user.count({ where: { oidcSubject: "olivia" } })).toBe(1);
  });

  it("refuses a user whose groups map to no role, and takes away the roles groups gave before", async () => {
    const refused = await signIn("guest");
    expect(refused).toMatchObject({ status: 303, location: "/login?error=sso_no_role" });
    expect(refused.minos.get(SESSION_COOKIE)).toBeUndefined();
    expect(await database.db.user.count({ where: { oidcSubject: "guest" } })).toBe(0);
    const audit = await database.db.auditEntry.findFirst({
      where: { action: "auth.oidc_login" },
      orderBy: { id: "desc" },
    });
    expect(audit).toMatchObject({ actor: "sso:guest", target: null, result: "denied" });
    expect(audit?.details).toMatchObject({ reason: "no group has a role in Minos", groups: ["visitors"] });

    provider.accounts.set("olivia", { preferred_username: "olivia", groups: ["staff"] });
    expect((await signIn("olivia")).location).toBe("/login?error=sso_no_role");
    expect(await grantsOf("olivia")).toEqual([{ role: "viewer", scope: "site:eu/se/*", source: "local" }]);
  });

  it("never takes over a local account with the same name: the new user gets a suffix", async () => {
    await database.db.user.create({ data: { username: "alice", passwordHash: "local" } });
    const result = await signIn("alice");
    expect(result.status).toBe(303);
    const principal = await resolveSession(database.db, result.minos.get(SESSION_COOKIE) ?? "");
    expect(principal).toMatchObject({
      username: "alice-2",
      grants: [{ role: "viewer", scope: "site:eu/dk/*" }],
    });
    expect(await grantsOf("alice")).toEqual([]);
  });

  it("refuses a disabled user, a callback without its flow cookie, and one from another flow", async () => {
    await database.db.user.update({ where: { username: "alice-2" }, data: { disabled: true } });
    expect((await signIn("alice")).location).toBe("/login?error=sso_disabled");

    const first = await signIn("olivia"); // olivia has no role now: only her callback URL is used
    const withoutCookie = await finishOidcLogin({
      db: database.db,
      request: new Request(first.callbackUrl),
      settings,
      key,
      log,
      address: null,
    });
    expect(withoutCookie.headers.get("location")).toBe("/login?error=sso_expired");

    const other = new Jar();
    other.store(
      await startOidcLogin({ request: new Request(`${MINOS}/api/auth/oidc/login`), settings, key, log }),
    );
    const mismatched = await finishOidcLogin({
      db: database.db,
      request: new Request(first.callbackUrl, { headers: { cookie: other.header() } }),
      settings,
      key,
      log,
      address: null,
    });
    expect(mismatched.headers.get("location")).toBe("/login?error=sso_invalid_response");
    const forged = await finishOidcLogin({
      db: database.db,
      request: new Request(first.callbackUrl, {
        headers: { cookie: `${FLOW_COOKIE}=AAAA${"x".repeat(80)}` },
      }),
      settings,
      key,
      log,
      address: null,
    });
    expect(forged.headers.get("location")).toBe("/login?error=sso_expired");
  });

  it("reports a cancelled sign-in and an unreachable provider as sentences on the login page", async () => {
    const minos = new Jar();
    const start = await startOidcLogin({
      request: new Request(`${MINOS}/api/auth/oidc/login`),
      settings,
      key,
      log,
    });
    minos.store(start);
    const state = new URL(start.headers.get("location") ?? "").searchParams.get("state");
    const cancelled = await finishOidcLogin({
      db: database.db,
      request: new Request(
        `${CALLBACK}?error=access_denied&error_description=End-User+aborted&state=${state}&iss=${encodeURIComponent(provider.issuer)}`,
        { headers: { cookie: minos.header() } },
      ),
      settings,
      key,
      log,
      address: null,
    });
    expect(cancelled.headers.get("location")).toBe("/login?error=sso_cancelled");

    const unreachable = await startOidcLogin({
      request: new Request(`${MINOS}/api/auth/oidc/login`),
      settings: { ...settings, issuer: new URL("http://127.0.0.1:1") },
      key,
      log,
    });
    expect(unreachable.headers.get("location")).toBe("/login?error=sso_unreachable");
  });
});
