// What the browser carries between leaving for the identity provider and coming back: state, nonce,
// PKCE verifier, redirect URI and the page to return to, sealed (AES-256-GCM) in a short-lived
// HttpOnly cookie so it can be neither read nor forged.
import { createHash, hkdfSync } from "node:crypto";
import { parse, serialize } from "cookie";
import { env } from "../../../platform/env";
import { open, seal } from "../../../platform/secrets/seal";
import { loadSecretKey, type SecretKey } from "../../../platform/secrets/secret-key";

export const FLOW_COOKIE = "minos_oidc_flow";
const COOKIE_PATH = "/api/auth/oidc";
const CONTEXT = "oidc-flow";
/** Time allowed at the identity provider, typing a password and a second factor included. */
export const FLOW_TTL_MS = 10 * 60_000;

export interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  next: string;
  /** Epoch milliseconds. */
  startedAt: number;
}

/** A key of its own for flow cookies, derived from the instance's secret key. */
export function flowKeyFrom(secret: SecretKey): SecretKey {
  const key = Buffer.from(hkdfSync("sha256", secret.key, Buffer.alloc(0), "minos oidc flow state", 32));
  return { key, id: createHash("sha256").update(key).digest().subarray(0, 8), source: secret.source };
}

let cached: Promise<SecretKey> | undefined;

/** The flow key of this process (MINOS_SECRET_KEY, or the key in the data directory). */
export function flowKey(): Promise<SecretKey> {
  const e = env();
  cached ??= loadSecretKey({ envValue: e.MINOS_SECRET_KEY, dataDir: e.dataDir })
    .then(flowKeyFrom)
    .catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
  return cached;
}

export function flowCookie(key: SecretKey, flow: FlowState, opts: { secure: boolean }): string {
  const sealed = seal(key, JSON.stringify(flow), CONTEXT).toString("base64url");
  return serialize(FLOW_COOKIE, sealed, {
    path: COOKIE_PATH,
    httpOnly: true,
    // Lax: the cookie comes back on the top-level GET redirect from the identity provider.
    sameSite: "lax",
    secure: opts.secure,
    maxAge: FLOW_TTL_MS / 1000,
  });
}

export function clearFlowCookie(opts: { secure: boolean }): string {
  return serialize(FLOW_COOKIE, "", {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "lax",
    secure: opts.secure,
    maxAge: 0,
  });
}

/** The flow state from a Cookie header, or null when absent, altered, sealed with another key or expired. */
export function readFlowState(
  key: SecretKey,
  cookieHeader: string | null,
  now = Date.now(),
): FlowState | null {
  const raw = cookieHeader ? parse(cookieHeader)[FLOW_COOKIE] : undefined;
  if (!raw) return null;
  try {
    const flow = JSON.parse(open(key, Buffer.from(raw, "base64url"), CONTEXT).toString("utf8")) as FlowState;
    const fresh = typeof flow.startedAt === "number" && now - flow.startedAt <= FLOW_TTL_MS;
    return fresh && typeof flow.state === "string" && typeof flow.verifier === "string" ? flow : null;
  } catch {
    return null;
  }
}
