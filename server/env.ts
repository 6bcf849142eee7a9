// The one place configuration is read and validated: a bad setting stops start-up with a message
// naming every bad variable, what is wrong with it and what to set instead.
import path from "node:path";
import { z } from "zod";

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

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: port.default(3000),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
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
});

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
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const raw = source[name];
      const secret = ["MINOS_SECRET_KEY", "DATABASE_URL", "MINOS_ADMIN_PASSWORD"].includes(name);
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
