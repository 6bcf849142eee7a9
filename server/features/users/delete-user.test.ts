// Deleting a user: their sessions and tokens stop working at once; what they did keeps their name
// (rollouts, approvals, locks, the audit trail); nobody deletes themselves or the last administrator.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, resolveApiToken } from "../../access/auth/api-tokens";
import { createSession, resolveSession } from "../../access/auth/sessions";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Principal } from "../../model/principal";
import { setInstanceSecretKey } from "../../platform/secrets/instance-key";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedInventory } from "../../testing/seed-inventory";

let database: TestDatabase;
let root: Principal;
const POLICY = { idleMs: 3_600_000, maxMs: 3_600_000 };

const callerAs = (principal: Principal) => createCaller(createContextInner({ db: database.db, principal }));

async function user(username: string, role: "admin" | "operator"): Promise<Principal> {
  const row = await database.db.user.create({
    data: { username, grants: { create: [{ role, scope: "" }] } },
  });
  return { kind: "user", userId: row.id, username, grants: [{ role, scope: "" }] };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (err) => (err instanceof TRPCError ? `${err.code}: ${err.message}` : String(err)),
  );

beforeAll(async () => {
  database = await createTestDatabase();
  setInstanceSecretKey(await loadSecretKey({ dataDir: await mkdtemp(path.join(os.tmpdir(), "minos-del-")) }));
  root = await user("root", "admin");
});
afterAll(() => database.drop());

describe("deleting a user", () => {
  it("ends their sessions and tokens, keeps their name on what they did, and is audited", async () => {
    const { db } = database;
    const mistake = await user("mistake", "operator");
    const session = await createSession(db, {
      userId: mistake.userId,
      address: "127.0.0.1",
      userAgent: null,
      policy: POLICY,
    });
    const token = await createApiToken(db, {
      ownerId: mistake.userId,
      name: "ci",
      role: "operator",
      scope: "",
      expiresInDays: 30,
      creator: mistake,
    });
    expect(await resolveSession(db, session.token, POLICY)).not.toBeNull();
    expect(await resolveApiToken(db, token.token)).not.toBeNull();

    // Things the user did: a lock (through the API, so audited as them), a rollout and an approval.
    const ids = await seedInventory(db, [{ name: "edge", machines: [{ hostname: "edge-cp" }] }]);
    await callerAs(mistake).rollouts.locks.lock({
      target: { kind: "cluster", name: "edge" },
      reason: "refit",
    });
    const rollout = await db.rollout.create({
      data: {
        name: "by mistake",
        targetVersion: "v1.12.0",
        installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
        wavePlan: {},
        safety: {},
        status: "completed",
        createdById: mistake.userId,
        createdBy: mistake.username,
        lastChangedById: mistake.userId,
        lastChangedBy: mistake.username,
        waves: { create: [{ index: 0, name: "Wave 1" }] },
        machines: { create: [{ machineId: ids.get("edge/edge-cp") as string, waveIndex: 0, position: 0 }] },
        approvals: {
          create: [
            { waveIndex: 0, revision: 1, approved: true, userId: mistake.userId, username: "mistake" },
          ],
        },
      },
    });

    expect(await callerAs(root).users.delete({ username: "mistake" })).toMatchObject({
      username: "mistake",
      grants: ["operator"],
      endedSessions: 1,
      removedTokens: 1,
    });
    expect(await resolveSession(db, session.token, POLICY)).toBeNull();
    expect(await resolveApiToken(db, token.token)).toBeNull();
    expect((await callerAs(root).users.list()).map((u) => u.username)).toEqual(["root"]);

    const shown = await callerAs(root).rollouts.byId({ id: rollout.id });
    expect(shown.createdBy).toBe("mistake");
    expect(shown.approvals.map((a) => a.username)).toEqual(["mistake"]);
    const cluster = await callerAs(root).clusters.byName({ name: "edge" });
    expect(cluster.lock).toMatchObject({ by: "mistake", reason: "refit" });
    const audit = await db.auditEntry.findMany({
      where: { OR: [{ actor: "mistake" }, { action: "users.delete" }] },
      orderBy: { id: "asc" },
      select: { actor: true, action: true, target: true, result: true },
    });
    expect(audit).toEqual([
      { actor: "mistake", action: "rollouts.locks.lock", target: "cluster:edge", result: "ok" },
      { actor: "root", action: "users.delete", target: "user:mistake", result: "ok" },
    ]);
  });

  it("refuses the caller's own account and the last administrator, saying why", async () => {
    expect(await failure(callerAs(root).users.delete({ username: "root" }))).toBe(
      "BAD_REQUEST: You cannot delete your own account.",
    );
    // Root is the only administrator stored: nobody else may delete root either (this caller's admin
    // grant is not stored, as if it had just been taken away).
    const otherAdmin = await user("other-admin", "operator");
    otherAdmin.grants = [{ role: "admin", scope: "" }];
    expect(await failure(callerAs(otherAdmin).users.delete({ username: "root" }))).toBe(
      "CONFLICT: root is the last administrator; make someone else an administrator first.",
    );
    expect(await failure(callerAs(root).users.delete({ username: "nobody" }))).toBe(
      'NOT_FOUND: There is no user named "nobody".',
    );
    expect(await database.db.user.count({ where: { username: "root" } })).toBe(1);
  });

  it("of two administrators deleting each other at once, one stays", async () => {
    const a = await user("admin-a", "admin");
    const b = await user("admin-b", "admin");
    await database.db.user.delete({ where: { id: root.userId } });
    const results = await Promise.all([
      failure(callerAs(a).users.delete({ username: "admin-b" })),
      failure(callerAs(b).users.delete({ username: "admin-a" })),
    ]);
    expect(results.filter((r) => r === "OK")).toHaveLength(1);
    expect(await database.db.user.count({ where: { grants: { some: { role: "admin", scope: "" } } } })).toBe(
      1,
    );
  });

  it("is for administrators only", async () => {
    const op = await user("op", "operator");
    expect(await failure(callerAs(op).users.delete({ username: "admin-a" }))).toMatch(/^FORBIDDEN/);
  });
});
