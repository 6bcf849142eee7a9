// Password sign-in: the right password works and is audited; a wrong one and an unknown name get the same
// answer, and lock out the same way — per user name and address, counted before the password is checked,
// so parallel guesses cannot slip past the limit and nobody can lock a user out from elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../features/users/create-user";
import { setPassword } from "../../features/users/set-password";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { login, refusalSummary } from "./login";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await createUser(database.db, {
    username: "olga",
    password: "a-strong-passphrase",
    grants: [{ role: "viewer", scope: "" }],
  });
});
afterAll(() => database.drop());

const RIGHT = "a-strong-passphrase";
const attempt = (password: string, opts: { username?: string; address?: string } = {}) =>
  login(database.db, {
    username: opts.username ?? "olga",
    password,
    address: opts.address ?? "127.0.0.9",
    userAgent: "vitest",
  });
const LOCKED = /is locked after repeated failed sign-ins\. Try again in 15 minutes/;

describe("password sign-in", () => {
  it("accepts the right password (any case of the user name) and audits it", async () => {
    const s = await attempt(RIGHT, { username: "Olga" });
    expect(s.token.length).toBeGreaterThan(30);
    const entry = await database.db.auditEntry.findFirst({
      where: { action: "auth.login" },
      orderBy: { id: "desc" },
    });
    expect(entry).toMatchObject({ actor: "olga", result: "ok", address: "127.0.0.9" });
  });

  it("gives the same answer for a wrong password and an unknown user", async () => {
    await expect(attempt("wrong")).rejects.toThrow("The user name or password is not right.");
    await expect(attempt("wrong", { username: "nobody" })).rejects.toThrow(
      "The user name or password is not right.",
    );
    const denied = await database.db.auditEntry.findMany({
      where: { action: "auth.login", result: "denied" },
    });
    expect(denied.map((d) => (d.details as { reason: string }).reason)).toEqual([
      "wrong password",
      "unknown user or no password",
    ]);
  });

  it("locks out one address after repeated failures, refusing even the right password, and says for how long", async () => {
    // One failure above already counts; the default limit is 5.
    for (let i = 0; i < 4; i++) await expect(attempt("wrong")).rejects.toThrow(/not right/);
    await expect(attempt(RIGHT)).rejects.toThrow(LOCKED);
  });

  it("does not lock the user out from another address", async () => {
    const s = await attempt(RIGHT, { address: "127.0.0.10" });
    expect(s.token.length).toBeGreaterThan(30);
  });

  it("locks out a name that is no account exactly as one that is, so the answers never tell them apart", async () => {
    const from = { username: "no-such-user", address: "127.0.0.11" };
    for (let i = 0; i < 5; i++)
      await expect(attempt("wrong", from)).rejects.toThrow("The user name or password is not right.");
    await expect(attempt("wrong", from)).rejects.toThrow(LOCKED);
  });

  it("counts parallel guesses one each: only the first five are checked at all", async () => {
    const address = "127.0.0.12";
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => attempt("wrong", { address })));
    const messages = results.map((r) =>
      r.status === "rejected" ? (r.reason as Error).message : "signed in",
    );
    expect(messages.filter((m) => m === "The user name or password is not right.")).toHaveLength(5);
    expect(messages.filter((m) => LOCKED.test(m))).toHaveLength(10);
    // The right password from there is refused now too.
    await expect(attempt(RIGHT, { address })).rejects.toThrow(LOCKED);
    const reasons = (await database.db.auditEntry.findMany({ where: { action: "auth.login", address } })).map(
      (e) => (e.details as { reason?: string }).reason,
    );
    expect(reasons.filter((r) => r?.startsWith("wrong password"))).toHaveLength(5);
  });

  it("is unlocked everywhere by an administrator's password reset", async () => {
    await setPassword(database.db, { username: "olga", newPassword: "another-strong-passphrase" });
    const s = await attempt("another-strong-passphrase", { address: "127.0.0.12" });
    expect(s.token.length).toBeGreaterThan(30);
    expect(await database.db.loginFailure.count({ where: { username: "olga" } })).toBe(0);
  });

  it("summarises attempts the address limit refuses: one row with the count, not a row each", async () => {
    const address = "127.0.0.50";
    const results = [];
    for (let i = 0; i < 100; i++) {
      results.push(
        await attempt("wrong", { username: `guess-${i}-${"x".repeat(200)}`, address }).catch(
          (e: Error) => e.message,
        ),
      );
    }
    expect(results.filter((m) => /Too many sign-in attempts from your address/.test(String(m)))).toHaveLength(
      80,
    );
    await refusalSummary(database.db).flush(true);
    const rows = await database.db.auditEntry.findMany({ where: { action: "auth.login", address } });
    // 20 attempts the limit let through, each audited; the 80 refused ones as one summary.
    expect(rows).toHaveLength(21);
    const summary = rows.find((r) => (r.details as { attempts?: number }).attempts !== undefined);
    expect(summary).toMatchObject({ actor: "anonymous", result: "denied" });
    const details = summary?.details as { attempts: number; names: string[]; reason: string };
    expect(details.attempts).toBe(80);
    expect(details.reason).toBe("too many attempts from this address");
    expect(details.names).toHaveLength(5);
    for (const n of details.names) expect(n.length).toBeLessThanOrEqual(64);
  });
});
