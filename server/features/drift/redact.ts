// Removes secrets from machine configuration documents before anything is stored or shown: by field name and
// path (secret-fields.ts) and by value shape (PEM blocks, base64 of PEM, bootstrap tokens, JWTs, credentials in
// URLs, long random strings), so a secret in a field nobody listed is still caught.
import type { ConfigDocument } from "./config-documents";
import { SECRET_CONTENT_FIELDS, SECRET_ENV_NAME, SECRET_FIELD_NAMES, SECRET_PATHS } from "./secret-fields";

export const REDACTED = "(redacted)";

export interface RedactOptions {
  /** Keyed digest of a secret (e.g. an HMAC with the instance key): a rotated secret then shows as changed. */
  digest?: (secret: string) => string;
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const BASE64_PEM = /LS0tLS1CRUdJTi/; // base64 of "-----BEGIN"
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;
const URL_USERINFO = /:\/\/[^/\s:@]+:[^/\s@]+@/;
const URL_SECRET_QUERY = /[?&](jointoken|token|secret|password|key|access_token|sig)=/i;
/** 32+ characters of base64/base64url with upper, lower and digits: a key or token, not an image or a word. */
const RANDOM = /^[A-Za-z0-9+/_-]{32,}={0,2}$/;

/** True when a string looks like secret material whatever field it is in. */
export function looksSecret(value: string): boolean {
  if (PEM.test(value) || BASE64_PEM.test(value) || JWT.test(value)) return true;
  if (BOOTSTRAP_TOKEN.test(value) || URL_USERINFO.test(value) || URL_SECRET_QUERY.test(value)) return true;
  return RANDOM.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
}

function marker(value: unknown, opts: RedactOptions): string {
  if (!opts.digest) return REDACTED;
  return `${REDACTED} ${opts.digest(typeof value === "string" ? value : JSON.stringify(value))}`;
}

function redactValue(value: unknown, trail: string[], opts: RedactOptions): unknown {
  const name = (trail[trail.length - 1] ?? "").toLowerCase();
  const dotted = trail.join(".");
  if (value === null || value === undefined) return value;
  if (typeof value !== "object") {
    if (value === "" || typeof value === "boolean") return value;
    if (SECRET_FIELD_NAMES.has(name) || SECRET_CONTENT_FIELDS.has(name) || SECRET_PATHS.has(dotted)) {
      return marker(value, opts);
    }
    if (isEnvEntry(trail) && SECRET_ENV_NAME.test(envName(trail, value))) return marker(value, opts);
    if (typeof value === "string" && looksSecret(value)) return marker(value, opts);
    return value;
  }
  if (Array.isArray(value)) {
    // a list under a secret name (certificates, keys of a key pair…) is secret as a whole when it holds scalars
    if (SECRET_FIELD_NAMES.has(name) && value.every((v) => typeof v !== "object")) return marker(value, opts);
    return value.map((v) => redactValue(v, [...trail, "[]"], opts));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = redactValue(v, [...trail, k], opts);
  }
  return out;
}

/** `machine.env.X` (mapping) or `environment[]: "X=…"` (ExtensionServiceConfig). */
function isEnvEntry(trail: string[]): boolean {
  const parent = trail[trail.length - 2];
  const last = trail[trail.length - 1];
  return parent === "env" || (parent === "environment" && last === "[]") || last === "environment";
}

function envName(trail: string[], value: unknown): string {
  const last = trail[trail.length - 1] ?? "";
  if (last === "[]" && typeof value === "string") return value.split("=")[0] ?? "";
  return last;
}

/** A copy of the documents with every secret replaced by "(redacted)" (plus a keyed digest when asked). */
export function redactDocuments(
  documents: readonly ConfigDocument[],
  opts: RedactOptions = {},
): ConfigDocument[] {
  return documents.map((d) => ({
    id: d.id,
    kind: d.kind,
    value: redactValue(d.value, [], opts) as Record<string, unknown>,
  }));
}
