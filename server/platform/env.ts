// The one place configuration is read and validated: a bad setting stops start-up with a message
// naming every bad variable, what is wrong with it and what to set instead.
import path from "node:path";
import { z } from "zod";
import { parseRoleMap } from "../model/oidc-role-map";

const port = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const postgresUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname !== "";
  } catch {
    return false;
  }
}, "must be a PostgreSQL URL such as postgresql://user:password@host:5432/minos");

const secretKey = z
  .string()
  .refine(
    (v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, "base64").length === 32,
    "must be 32 random bytes, as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)",
  );

const minutes = z.coerce
  .number({ error: "must be a number of minutes" })
  .int("must be a whole number of minutes")
  .min(1, "must be at least 1 minute")
  .max(60 * 24 * 90, "must be at most 90 days");

const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);

const isLoopback = (host: string) =>
  host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/** The identity provider's issuer: HTTPS, or plain HTTP only on this machine (for tests). */
const oidcIssuer = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || (u.protocol === "http:" && isLoopback(u.hostname));
  } catch {
    return false;
  }
}, "must be the identity provider's issuer URL over https://, such as https://keycloak.example.com/realms/ops (http:// only for a loopback address)");

const httpUrl = z.string().refine((v) => {
  try {
    return ["http:", "https:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL such as https://minos.example.com/api/auth/oidc/callback");

const oidcScopes = z
  .string()
  .transform((v) => v.split(/\s+/).filter(Boolean))
  .refine((v) => v.includes("openid"), 'must include "openid", e.g. "openid profile email groups"');

const oidcRoleMap = z.string().transform((v, ctx) => {
  const parsed = parseRoleMap(v);
  if (parsed.ok) return parsed.entries;
  for (const problem of parsed.problems) ctx.addIssue({ code: "custom", message: problem });
  return z.NEVER;
});

/** Single sign-on is configured by the issuer and client id together, and needs a role map. */
function checkOidcComplete(
  e: { MINOS_OIDC_ISSUER?: string; MINOS_OIDC_CLIENT_ID?: string; MINOS_OIDC_ROLE_MAP?: unknown },
  ctx: z.RefinementCtx,
) {
  const anyOidc = Object.keys(e).some(
    (k) => k.startsWith("MINOS_OIDC_") && e[k as keyof typeof e] !== undefined,
  );
  if (!anyOidc) return;
  const missing = (name: string, why: string) => ctx.addIssue({ code: "custom", path: [name], message: why });
  if (!e.MINOS_OIDC_ISSUER) {
    missing(
      "MINOS_OIDC_ISSUER",
      "must be set when any MINOS_OIDC_ variable is set (single sign-on needs the issuer URL)",
    );
  }
  if (!e.MINOS_OIDC_CLIENT_ID) {
    missing(
      "MINOS_OIDC_CLIENT_ID",
      "must be set when any MINOS_OIDC_ variable is set (the client id registered at the identity provider)",
    );
  }
  if (e.MINOS_OIDC_ROLE_MAP === undefined) {
    missing(
      "MINOS_OIDC_ROLE_MAP",
      "must be set for single sign-on, e.g. platform-admins=admin;oncall=operator (without it no one could sign in)",
    );
  }
}

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: port.default(3000),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  /**
   * The role that owns the schema, for migrations; Minos then runs as DATABASE_URL's role, granted
   * what it needs and unable to switch off the audit trail's triggers (docs/operations.md).
   */
  MINOS_MIGRATION_DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  MINOS_DATA_DIR: z.string().min(1, "must not be empty").default("./.minos"),
  MINOS_SECRET_KEY: z.preprocess(emptyAsUndefined, secretKey.optional()),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MINOS_ADMIN_PASSWORD: z.preprocess(
    emptyAsUndefined,
    z.string().min(12, "must be at least 12 characters long").optional(),
  ),
  MINOS_SESSION_IDLE_MINUTES: minutes.default(120),
  MINOS_SESSION_MAX_HOURS: z.coerce
    .number({ error: "must be a number" })
    .int()
    .min(1)
    .max(24 * 90)
    .default(12),
  MINOS_LOGIN_MAX_FAILURES: z.coerce.number({ error: "must be a number" }).int().min(1).max(100).default(5),
  MINOS_LOGIN_LOCKOUT_MINUTES: minutes.default(15),
  /** Sign-in attempts one address may make per minute, across all user names. */
  MINOS_LOGIN_ATTEMPTS_PER_MINUTE: z.coerce
    .number({ error: "must be a number" })
    .int()
    .min(1, "must be at least 1")
    .max(10_000, "must be at most 10000")
    .default(20),
  /** Days audit entries are kept; unset keeps everything. */
  MINOS_AUDIT_RETENTION_DAYS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: "must be a number of days" }).int().min(1, "must be at least 1 day").optional(),
  ),
  /** Days machine events are kept in the database (the fleet-wide events page searches them). */
  MINOS_EVENT_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number of days" })
    .int()
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days")
    .default(14),
  /** Days drift history (items appearing, changing, clearing) is kept; current drift items are never pruned. */
  MINOS_DRIFT_HISTORY_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number of days" })
    .int()
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days")
    .default(90),
  /** Live log streams one user may hold open at once (each machine of a merged view counts). */
  MINOS_LOG_STREAMS_PER_USER: z.coerce
    .number({ error: "must be a number" })
    .int()
    .min(1)
    .max(1000)
    .default(12),
  /** Live log streams this instance holds open at once, over all users. */
  MINOS_LOG_STREAMS_PER_INSTANCE: z.coerce
    .number({ error: "must be a number" })
    .int()
    .min(1)
    .max(100000)
    .default(300),
  /** 1: a reverse proxy stands in front, and its X-Forwarded-Host / X-Forwarded-Proto are believed. */
  MINOS_TRUST_PROXY: z
    .preprocess(
      emptyAsUndefined,
      z
        .enum(["0", "1"], { error: "must be 1 (behind a reverse proxy that sets X-Forwarded-*) or 0" })
        .default("0"),
    )
    .transform((v) => v === "1"),
  /** The bearer token Prometheus scrapes /api/metrics with; unset: metrics are not served. */
  MINOS_METRICS_TOKEN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .min(24, "must be at least 24 characters (e.g. openssl rand -hex 24)")
      .max(512, "must be at most 512 characters")
      .regex(/^[\x21-\x7e]+$/, "must be printable characters without spaces")
      .optional(),
  ),
  /** Where rollout announcements go as Slack-compatible JSON ({"text": …}); unset: none. */
  MINOS_ROLLOUT_WEBHOOK_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  ),
  /** With an empty inventory, start the bundled simulator with a demo fleet: 1 (default) or 0. */
  MINOS_DEMO: z
    .enum(["0", "1"], { error: 'must be "1" (demo fleet when the inventory is empty) or "0"' })
    .default("1"),
  /** A talosconfig file whose contexts are added as clusters at start (those not yet in the inventory). */
  MINOS_TALOSCONFIG: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** State collection from the Talos API in this instance: 1 (default) or 0 to leave it to other instances. */
  MINOS_COLLECTOR: z
    .preprocess(
      emptyAsUndefined,
      z
        .enum(["0", "1"], { error: "must be 1 (collect machine state) or 0 (leave it to other instances)" })
        .default("1"),
    )
    .transform((v) => v === "1"),
  MINOS_OIDC_ISSUER: z.preprocess(emptyAsUndefined, oidcIssuer.optional()),
  MINOS_OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().max(400).optional()),
  MINOS_OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
  MINOS_OIDC_REDIRECT_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  MINOS_OIDC_SCOPES: z.preprocess(emptyAsUndefined, oidcScopes.optional()),
  MINOS_OIDC_GROUPS_CLAIM: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
  MINOS_OIDC_ROLE_MAP: z.preprocess(emptyAsUndefined, oidcRoleMap.optional()),
  MINOS_OIDC_LABEL: z.preprocess(
    emptyAsUndefined,
    z.string().max(60, "must be at most 60 characters").optional(),
  ),
});

/** The schema with the checks that span several variables. */
const checkedEnvSchema = envSchema.superRefine(checkOidcComplete, { when: () => true }).superRefine(
  (e, ctx) => {
    if (e.MINOS_MIGRATION_DATABASE_URL && !e.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["MINOS_MIGRATION_DATABASE_URL"],
        message:
          "needs DATABASE_URL as well: it is the owner's URL for migrations, DATABASE_URL the role Minos runs as",
      });
    }
  },
  { when: () => true },
);

export type Env = z.infer<typeof envSchema> & { dataDir: string };

export class EnvError extends Error {
  override name = "EnvError";
  constructor(readonly problems: string[]) {
    super(
      `Minos cannot start: the configuration is not valid.\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

/** Validates a set of environment variables; throws EnvError naming each bad one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = checkedEnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const raw = source[name];
      const secret = [
        "MINOS_SECRET_KEY",
        "DATABASE_URL",
        "MINOS_MIGRATION_DATABASE_URL",
        "MINOS_ADMIN_PASSWORD",
        "MINOS_OIDC_CLIENT_SECRET",
        "MINOS_METRICS_TOKEN",
      ].includes(name);
      const shown = secret ? "" : ` (got "${raw}")`;
      return `${name} ${issue.message}${raw === undefined ? "" : shown}`;
    });
    throw new EnvError(problems);
  }
  return { ...result.data, dataDir: path.resolve(result.data.MINOS_DATA_DIR) };
}

let cached: Env | undefined;

/** The validated configuration of this process. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
