// Archiving finished rollouts: out of the default list, back with "show archived"; refused while a
// rollout is unfinished; not found outside the operator's scope; audited.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Role } from "../../model/permissions";
import type { Grant } from "../../model/principal";
import type { RolloutStatus } from "../../platform/db/generated/client";
import { setInstanceSecretKey } from "../../platform/secrets/instance-key";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { seedInventory } from "../../testing/seed-inventory";

let database: TestDatabase;
let ids: Map<string, string>;

const as = (name: string, role: Role, scope = "") =>
  createCaller(
    createContextInner({ db: database.db, principal: principalWith(name, { role, scope } as Grant) }),
  );

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (err) => (err instanceof TRPCError ? `${err.code}: ${err.message}` : String(err)),
  );

async function rollout(name: string, status: RolloutStatus, machines: string[]) {
  const user = crypto.randomUUID();
  const r = await database.db.rollout.create({
    data: {
      name,
      targetVersion: "v1.12.0",
      installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
      wavePlan: {},
      safety: {},
      status,
      createdById: user,
      createdBy: "planner",
      lastChangedById: user,
      lastChangedBy: "planner",
      waves: { create: [{ index: 0, name: "Wave 1" }] },
      machines: {
        create: machines.map((m, position) => ({ machineId: ids.get(m) as string, waveIndex: 0, position })),
      },
    },
  });
  return r.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  setInstanceSecretKey(await loadSecretKey({ dataDir: await mkdtemp(path.join(os.tmpdir(), "minos-arc-")) }));
  ids = await seedInventory(database.db, [
    { name: "dk", site: "eu/dk/store-1", machines: [{ hostname: "dk-1" }] },
    { name: "ny", site: "us/ny/store-2", machines: [{ hostname: "ny-1" }] },
  ]);
});
afterAll(() => database.drop());

describe("archiving rollouts", () => {
  it("hides a finished rollout from the default list and shows it with showArchived; audited", async () => {
    const done = await rollout("done", "completed", ["dk/dk-1"]);
    const aborted = await rollout("aborted", "aborted", ["dk/dk-1"]);
    const op = as("oper", "operator");
    expect(await op.rollouts.archive({ id: done })).toMatchObject({
      name: "done",
      archivedAt: expect.any(Date),
    });
    await op.rollouts.archive({ id: aborted });

    expect((await op.rollouts.list()).map((r) => r.name)).toEqual([]);
    const all = await as("viewer", "viewer").rollouts.list({ showArchived: true });
    expect(all.map((r) => [r.name, r.archivedBy])).toEqual([
      ["aborted", "oper"],
      ["done", "oper"],
    ]);

    await op.rollouts.unarchive({ id: aborted });
    expect((await op.rollouts.list()).map((r) => [r.name, r.archivedAt])).toEqual([["aborted", null]]);

    const audit = await database.db.auditEntry.findMany({
      where: { action: { in: ["rollouts.archive", "rollouts.unarchive"] } },
      orderBy: { id: "asc" },
      select: { actor: true, action: true, target: true, result: true },
    });
    expect(audit).toEqual([
      { actor: "oper", action: "rollouts.archive", target: `rollout:${done}`, result: "ok" },
      { actor: "oper", action: "rollouts.archive", target: `rollout:${aborted}`, result: "ok" },
      { actor: "oper", action: "rollouts.unarchive", target: `rollout:${aborted}`, result: "ok" },
    ]);
  });

  it("refuses an unfinished rollout, saying why", async () => {
    const op = as("oper", "operator");
    for (const status of ["pending", "running", "paused", "aborting"] as const) {
      const id = await rollout(`is ${status}`, status, ["dk/dk-1"]);
      expect(await failure(op.rollouts.archive({ id }))).toBe(
        `CONFLICT: The rollout is ${status}, so it cannot be archived: only finished rollouts (completed, aborted or rejected) can. Wait until it finishes, or abort it.`,
      );
    }
    const rejected = await rollout("rejected", "rejected", ["dk/dk-1"]);
    expect(await failure(op.rollouts.archive({ id: rejected }))).toBe("OK");
    expect(
      await database.db.rollout.count({ where: { archivedAt: { not: null }, status: { not: "rejected" } } }),
    ).toBe(1);
  });

  it("is not found for an operator when any machine of the plan is outside their scope", async () => {
    const both = await rollout("both sites", "completed", ["dk/dk-1", "ny/ny-1"]);
    const eu = as("eu-oper", "operator", "site:eu/*");
    expect(await failure(eu.rollouts.archive({ id: both }))).toBe("NOT_FOUND: There is no such rollout.");
    expect(await database.db.rollout.findUniqueOrThrow({ where: { id: both } })).toMatchObject({
      archivedAt: null,
    });
    // Viewers cannot archive at all.
    expect(await failure(as("viewer", "viewer").rollouts.archive({ id: both }))).toMatch(/^FORBIDDEN/);
    await as("oper", "operator").rollouts.archive({ id: both });
    expect(await failure(eu.rollouts.unarchive({ id: both }))).toBe("NOT_FOUND: There is no such rollout.");
  });
});
