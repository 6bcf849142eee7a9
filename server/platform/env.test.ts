import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("configuration", () => {
  it("has defaults that run Minos on loopback with the embedded database", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe("127.0.0.1");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MINOS_SECRET_KEY).toBeUndefined();
    expect(env.dataDir.endsWith(".minos")).toBe(true);
  });

  it("names every bad variable at once, says what is expected, and never echoes secrets", () => {
    let error: EnvError | undefined;
    try {
      parseEnv({
        PORT: "eighty",
        HOST: "",
        DATABASE_URL: "mysql://root:hunter2@db/minos",
        MINOS_SECRET_KEY: "too-short-secret",
      });
    } catch (err) {
      error = err as EnvError;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect(error?.problems).toHaveLength(4);
    expect(error?.message).toContain('PORT must be a number (got "eighty")');
    expect(error?.message).toContain("HOST must not be empty");
    expect(error?.message).toContain("DATABASE_URL must be a PostgreSQL URL");
    expect(error?.message).toContain("MINOS_SECRET_KEY must be 32 random bytes");
    expect(error?.message).not.toContain("hunter2");
    expect(error?.message).not.toContain("too-short-secret");
  });

  it("rejects ports out of range and accepts a hex or base64 secret key", () => {
    expect(() => parseEnv({ PORT: "70000" })).toThrow(/PORT must be between 1 and 65535/);
    expect(parseEnv({ MINOS_SECRET_KEY: "ab".repeat(32) }).MINOS_SECRET_KEY).toBe("ab".repeat(32));
    const b64 = Buffer.alloc(32, 7).toString("base64");
    expect(parseEnv({ MINOS_SECRET_KEY: b64 }).MINOS_SECRET_KEY).toBe(b64);
  });

  it("takes a metrics token only long enough to be a secret, and never echoes it", () => {
    expect(parseEnv({}).MINOS_METRICS_TOKEN).toBeUndefined();
    expect(() => parseEnv({ MINOS_METRICS_TOKEN: "short-token" })).toThrow(
      "- MINOS_METRICS_TOKEN must be at least 24 characters (e.g. openssl rand -hex 24)",
    );
    expect(() => parseEnv({ MINOS_METRICS_TOKEN: "short-token" })).not.toThrow(/short-token/);
    const token = "a".repeat(24);
    expect(parseEnv({ MINOS_METRICS_TOKEN: token }).MINOS_METRICS_TOKEN).toBe(token);
  });

  it("treats an empty DATABASE_URL as unset (embedded database)", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("takes the owner's URL for migrations only beside the role Minos runs as, never echoing it", () => {
    const owner = "postgresql://owner:s3cret@db:5432/minos";
    expect(() => parseEnv({ MINOS_MIGRATION_DATABASE_URL: owner })).toThrow(
      /MINOS_MIGRATION_DATABASE_URL needs DATABASE_URL as well/,
    );
    expect(() => parseEnv({ MINOS_MIGRATION_DATABASE_URL: "s3cret-not-a-url" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("s3cret") }),
    );
    const both = parseEnv({
      MINOS_MIGRATION_DATABASE_URL: owner,
      DATABASE_URL: "postgresql://minos_app@db/minos",
    });
    expect(both.MINOS_MIGRATION_DATABASE_URL).toBe(owner);
  });
});
