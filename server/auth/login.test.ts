import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createUser } from "../users/create-user";
import { login } from "./login";

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

const attempt = (password: string, username = "olga") =>
  login(database.db, { username, password, address: "127.0.0.9", userAgent: "vitest" });

describe("password sign-in", () => {
  it("accepts the right password (any case of the user name) and audits it", async () => {
    const s = await attempt("a-strong-passphrase", "Olga");
    expect(s.token.length).toBeGreaterThan(30);
    const entry = await database.db.auditEntry.findFirst({
      where: { action: "auth.login" },
      orderBy: { id: "desc" },
    });
    expect(entry).toMatchObject({ actor: "olga", result: "ok", address: "127.0.0.9" });
  });

  it("gives the same answer for a wrong password and an unknown user", async () => {
    await expect(attempt("wrong")).rejects.toThrow("The user name or password is not right.");
    await expect(attempt("wrong", "nobody")).rejects.toThrow("The user name or password is not right.");
    const denied = await database.db.auditEntry.findMany({
      where: { action: "auth.login", result: "denied" },
    });
    expect(denied.map((d) => (d.details as { reason: string }).reason)).toEqual([
      "wrong password",
      "unknown user or no password",
    ]);
  });

  it("locks the account after repeated failures, refusing even the right password, and says for how long", async () => {
    // One failure above already counts; the default limit is 5.
    for (let i = 0; i < 4; i++) await expect(attempt("wrong")).rejects.toThrow(/not right/);
    await expect(attempt("a-strong-passphrase")).rejects.toThrow(
      /locked after repeated failed sign-ins\. Try again in 15 minutes/,
    );
    const user = await database.db.user.findUniqueOrThrow({ where: { username: "olga" } });
    expect(user.lockedUntil?.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
  });
});
