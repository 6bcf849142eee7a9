import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../features/users/create-user";
import { setPassword } from "../../features/users/set-password";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { createApiToken, resolveApiToken } from "./api-tokens";
import { hashSecret } from "./tokens";

let database: TestDatabase;
let opId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const op = await database.db.user.create({
    data: { username: "otto", grants: { create: [{ role: "operator", scope: "site:eu/dk/*" }] } },
  });
  opId = op.id;
});
afterAll(() => database.drop());

describe("API tokens", () => {
  it("act with their one role and scope, and are stored only as a hash", async () => {
    const creator = principalWith("otto", { role: "operator", scope: "site:eu/dk/*" });
    const t = await createApiToken(database.db, {
      ownerId: opId,
      name: "ci",
      role: "viewer",
      scope: "site:eu/dk/*",
      expiresInDays: 30,
      creator,
    });
    expect(t.token).toMatch(/^minos_/);
    const row = await database.db.apiToken.findUniqueOrThrow({ where: { id: t.id } });
    expect(row.tokenHash).toBe(hashSecret(t.token));
    expect(JSON.stringify(row)).not.toContain(t.token.slice(10));
    expect(await resolveApiToken(database.db, t.token)).toMatchObject({
      kind: "token",
      username: "otto",
      grants: [{ role: "viewer", scope: "site:eu/dk/*" }],
    });
  });

  it("can never exceed the creator's role or scope", async () => {
    const creator = principalWith("otto", { role: "operator", scope: "site:eu/dk/*" });
    const base = { ownerId: opId, expiresInDays: 30, creator };
    await expect(
      createApiToken(database.db, { ...base, name: "a", role: "admin", scope: "" }),
    ).rejects.toThrow(/otto does not hold the admin role/);
    await expect(
      createApiToken(database.db, { ...base, name: "b", role: "approver", scope: "site:eu/dk/*" }),
    ).rejects.toThrow(/does not hold the approver role/);
    await expect(
      createApiToken(database.db, { ...base, name: "c", role: "viewer", scope: "" }),
    ).rejects.toThrow(/holds viewer only in site:eu\/dk\/\*/);
  });

  it("stop working when revoked or expired", async () => {
    const creator = principalWith("otto", { role: "operator", scope: "site:eu/dk/*" });
    const base = { ownerId: opId, role: "viewer" as const, scope: "site:eu/dk/*", expiresInDays: 1, creator };
    const revoked = await createApiToken(database.db, { ...base, name: "revoked" });
    await database.db.apiToken.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    expect(await resolveApiToken(database.db, revoked.token)).toBeNull();
    const expired = await createApiToken(database.db, { ...base, name: "expired" });
    await database.db.apiToken.update({
      where: { id: expired.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    expect(await resolveApiToken(database.db, expired.token)).toBeNull();
    expect(await resolveApiToken(database.db, "minos_forged")).toBeNull();
  });

  it("stop working when the owner no longer holds the token's role", async () => {
    const owner = await database.db.user.create({
      data: { username: "fleeting", grants: { create: [{ role: "operator", scope: "", source: "oidc" }] } },
    });
    const t = await createApiToken(database.db, {
      ownerId: owner.id,
      name: "job",
      role: "operator",
      scope: "",
      expiresInDays: 30,
      creator: principalWith("fleeting", "operator"),
    });
    expect(await resolveApiToken(database.db, t.token)).not.toBeNull();
    await database.db.roleGrant.updateMany({ where: { userId: owner.id }, data: { role: "viewer" } });
    expect(await resolveApiToken(database.db, t.token)).toBeNull();
  });

  it("refuse lifetimes outside 1 to 365 days", async () => {
    const creator = principalWith("otto", { role: "operator", scope: "site:eu/dk/*" });
    await expect(
      createApiToken(database.db, {
        ownerId: opId,
        name: "long",
        role: "viewer",
        scope: "site:eu/dk/*",
        expiresInDays: 999,
        creator,
      }),
    ).rejects.toThrow("A token must expire within 1 to 365 days.");
  });

  it("survive their owner's own password change, and end with an administrator's reset", async () => {
    const { db } = database;
    await createUser(db, {
      username: "petra",
      password: "first-long-passphrase",
      grants: [{ role: "viewer", scope: "" }],
    });
    const petra = await db.user.findUniqueOrThrow({ where: { username: "petra" } });
    const t = await createApiToken(db, {
      ownerId: petra.id,
      name: "nightly",
      role: "viewer",
      scope: "",
      expiresInDays: 30,
      creator: principalWith("petra", "viewer"),
    });
    await setPassword(db, {
      username: "petra",
      currentPassword: "first-long-passphrase",
      newPassword: "second-long-passphrase",
    });
    expect(await resolveApiToken(db, t.token)).not.toBeNull();
    expect(await setPassword(db, { username: "petra", newPassword: "third-long-passphrase" })).toEqual({
      revokedTokens: 1,
    });
    expect(await resolveApiToken(db, t.token)).toBeNull();
  });
});
