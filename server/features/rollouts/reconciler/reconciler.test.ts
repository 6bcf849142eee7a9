// The reconciler's loop itself, on real Postgres: which rollouts an instance takes the lease of and
// keeps, what it announces once, and what it gives up when a rollout finishes, another instance holds
// it, or the instance stops. (Upgrades through the Talos API are the scenario tests' concern.)
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../testing/database";
import { RolloutReconciler } from "./reconciler";

let database: TestDatabase;
const running: RolloutReconciler[] = [];
const silent = pino({ level: "silent" });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  await database.db.rollout.deleteMany();
});

/** A rollout awaiting its first wave's approval, with no machine (nothing to send to Talos). */
async function pendingRollout(name: string, lease?: { owner: string; expiresInMs: number }): Promise<string> {
  const user = randomUUID();
  const r = await database.db.rollout.create({
    data: {
      name,
      targetVersion: "v1.14.0",
      installerImage: "ghcr.io/siderolabs/installer:v1.14.0",
      wavePlan: {},
      safety: {},
      createdById: user,
      createdBy: "alice",
      lastChangedById: user,
      lastChangedBy: "alice",
      ...(lease ? { leaseOwner: lease.owner, leaseExpiresAt: new Date(Date.now() + lease.expiresInMs) } : {}),
      waves: { create: [{ index: 0, name: "canary" }] },
    },
  });
  return r.id;
}

function reconciler(announced: string[] = []): RolloutReconciler {
  const r = new RolloutReconciler({ db: database.db, log: silent, notify: (t) => announced.push(t) });
  running.push(r);
  return r;
}

const ownerOf = async (id: string) =>
  (await database.db.rollout.findUniqueOrThrow({ where: { id }, select: { leaseOwner: true } })).leaseOwner;

describe("the rollout reconciler's passes", () => {
  it("takes a free rollout, announces once that its wave awaits approval, and leaves one another instance holds", async () => {
    const free = await pendingRollout("free");
    const taken = await pendingRollout("taken", { owner: "other-instance", expiresInMs: 60_000 });
    const announced: string[] = [];
    const a = reconciler(announced);
    await a.pass();
    await a.pass();
    expect(a.held()).toEqual([free]);
    expect(await ownerOf(free)).toBe(a.instanceId);
    expect(await ownerOf(taken)).toBe("other-instance");
    expect(announced).toEqual(['Rollout "free" to v1.14.0: canary (0 machines) needs an approval.']);
  });

  it("takes over a rollout whose holder let its lease expire, without announcing what was announced", async () => {
    const id = await pendingRollout("orphaned", { owner: "crashed-instance", expiresInMs: -1_000 });
    await database.db.rolloutWave.updateMany({
      where: { rolloutId: id },
      data: { approvalRequestedAt: new Date() },
    });
    const announced: string[] = [];
    const a = reconciler(announced);
    await a.pass();
    expect(a.held()).toEqual([id]);
    expect(await ownerOf(id)).toBe(a.instanceId);
    expect(announced).toEqual([]);
  });

  it("gives up a rollout that finished, and one another instance took meanwhile", async () => {
    const done = await pendingRollout("done");
    const lost = await pendingRollout("lost");
    const a = reconciler();
    await a.pass();
    expect(a.held().sort()).toEqual([done, lost].sort());
    await database.db.rollout.update({ where: { id: done }, data: { status: "completed" } });
    await database.db.rollout.update({
      where: { id: lost },
      data: { leaseOwner: "other-instance", leaseExpiresAt: new Date(Date.now() + 60_000) },
    });
    await a.pass();
    expect(a.held()).toEqual([]);
    expect(await ownerOf(lost)).toBe("other-instance");
  });

  it("releases its leases when it stops, but not when stopped as a crash would", async () => {
    const first = await pendingRollout("first");
    const a = reconciler();
    await a.pass();
    await a.stop();
    expect(await ownerOf(first)).toBeNull();

    const b = reconciler();
    await b.pass();
    await b.stop({ releaseLeases: false });
    expect(await ownerOf(first)).toBe(b.instanceId);
    expect(b.held()).toEqual([]);
  });
});
