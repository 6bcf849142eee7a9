// Rollout locks: operators lock machines and clusters within their scope, with a reason that shows
// on the machine, the cluster and the machines list; the plan leaves locked machines out; and a lock
// taken while a rollout runs keeps its machine from starting (skipped with the reason, never issued).

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import { untrusted } from "../../model/untrusted-text";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { seedInventory } from "../../testing/seed-inventory";
import { RolloutReconciler } from "../rollouts/reconciler/reconciler";

let database: TestDatabase;
let ids: Map<string, string>;
const olivia = principalWith("olivia", "operator");
const abe = principalWith("abe", "approver");
const vic = principalWith("vic", "viewer");
const local = principalWith("lou", { role: "operator", scope: "site:eu/dk/*" });
const as = (p: typeof olivia) => createCaller(createContextInner({ db: database.db, principal: p }));
const id = (key: string) => ids.get(key) as string;

beforeAll(async () => {
  database = await createTestDatabase();
  ids = await seedInventory(database.db, [
    {
      name: "aarhus",
      site: "eu/dk/aarhus",
      machines: [{ hostname: "aarhus-cp" }, { hostname: "aarhus-w1" }, { hostname: "aarhus-w2" }],
    },
    {
      name: "austin",
      site: "us/tx/austin",
      machines: [{ hostname: "austin-cp" }, { hostname: "austin-w1" }],
    },
  ]);
}, 60_000);
afterAll(() => database?.drop());

const spec = {
  name: "to 1.12",
  installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
  scope: { selector: "" },
  wavePlan: { canary: { kind: "none" as const }, waves: [] },
  safety: { bakeMinutes: 0, allowSingleControlPlane: true },
};

describe("rollout locks", () => {
  it("locks within scope, with reason, who and when, shown on the machine, its cluster and the list, and audited", async () => {
    const machine = { kind: "machine" as const, id: id("aarhus/aarhus-w1") };
    const locked = await as(olivia).rollouts.locks.lock({ target: machine, reason: "disk swap on Friday" });
    expect(locked).toMatchObject({ on: "machine", reason: "disk swap on Friday", by: "olivia" });

    const m = await as(vic).machines.byId({ id: machine.id });
    expect(m.locks.machine).toMatchObject({ reason: "disk swap on Friday", by: "olivia" });
    expect(m.locks.cluster).toBeNull();
    const list = await as(vic).machines.list({ cluster: "aarhus" });
    expect(list.rows.find((r) => r.hostname === "aarhus-w1")?.lock?.reason).toBe("disk swap on Friday");
    expect(list.rows.find((r) => r.hostname === "aarhus-w2")?.lock).toBeNull();

    // A second lock does not overwrite the first one's reason.
    await expect(as(olivia).rollouts.locks.lock({ target: machine, reason: "other" })).rejects.toThrow(
      `already locked by ${untrusted("olivia")}: ${untrusted("disk swap on Friday")}. Unlock it first`,
    );
    // Viewers and approvers may not lock; an operator only within their scope.
    await expect(as(vic).rollouts.locks.lock({ target: machine, reason: "x" })).rejects.toThrow(
      /operator or admin/,
    );
    await expect(as(abe).rollouts.locks.lock({ target: machine, reason: "x" })).rejects.toThrow(
      /operator or admin/,
    );
    await expect(
      as(local).rollouts.locks.lock({ target: { kind: "cluster", name: "austin" }, reason: "x" }),
    ).rejects.toThrow(/outside the scope you may run rollouts in/);
    await expect(
      as(olivia).rollouts.locks.lock({ target: { kind: "cluster", name: "aarhus" }, reason: "  " }),
    ).rejects.toThrow(/say why it is locked/);

    // A cluster lock covers every machine of the cluster.
    await as(local).rollouts.locks.lock({
      target: { kind: "cluster", name: "aarhus" },
      reason: "store refit",
    });
    const c = await as(vic).clusters.byName({ name: "aarhus" });
    expect(c.lock).toMatchObject({ on: "cluster", reason: "store refit", by: "lou" });
    expect(c.machines.every((r) => r.lock?.on === "cluster")).toBe(true);

    // The plan leaves them out, saying why.
    const plan = await as(olivia).rollouts.preview(spec);
    expect(plan.excludedByKind.locked).toBe(3);
    expect(plan.excluded.find((e) => e.hostname === "aarhus-cp")?.reason).toBe(
      `cluster locked: ${untrusted("store refit")} (by ${untrusted("lou")})`,
    );
    expect(plan.planned).toBe(2);

    await expect(as(vic).rollouts.locks.unlock({ target: machine })).rejects.toThrow(/operator or admin/);
    const removed = await as(olivia).rollouts.locks.unlock({ target: { kind: "cluster", name: "aarhus" } });
    expect(removed.reason).toBe("store refit");
    await as(olivia).rollouts.locks.unlock({ target: machine });
    await expect(as(olivia).rollouts.locks.unlock({ target: machine })).rejects.toThrow(/is not locked/);
    expect((await as(olivia).rollouts.preview(spec)).excludedByKind.locked).toBe(0);

    const audit = await database.db.auditEntry.findMany({
      where: { action: { startsWith: "rollouts.locks." } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((e) => `${e.actor} ${e.action} ${e.result} ${e.target}`)).toEqual([
      `olivia rollouts.locks.lock ok machine:${machine.id}`,
      `olivia rollouts.locks.lock error machine:${machine.id}`,
      `vic rollouts.locks.lock denied null`,
      `abe rollouts.locks.lock denied null`,
      "lou rollouts.locks.lock error cluster:austin",
      "olivia rollouts.locks.lock error null",
      "lou rollouts.locks.lock ok cluster:aarhus",
      "vic rollouts.locks.unlock denied null",
      "olivia rollouts.locks.unlock ok cluster:aarhus",
      `olivia rollouts.locks.unlock ok machine:${machine.id}`,
      `olivia rollouts.locks.unlock error machine:${machine.id}`,
    ]);
    expect(audit[0]?.details).toMatchObject({ reason: "disk swap on Friday" });
    expect(audit[8]?.details).toMatchObject({ reason: "store refit", lockedBy: "lou" });
  });

  it("keeps a machine locked after approval from starting: skipped with the lock's reason, never issued", async () => {
    const { id: rolloutId } = await as(olivia).rollouts.create({
      ...spec,
      name: "locked after approval",
      scope: { clusters: ["austin"] },
    });
    await as(abe).rollouts.decide({ rolloutId, waveIndex: 0, revision: 1, approve: true, comment: "" });
    await as(olivia).rollouts.locks.lock({
      target: { kind: "cluster", name: "austin" },
      reason: "power work at the store",
    });

    // No credential exists for the cluster: an upgrade issued would fail, so "skipped" proves none was.
    // Each pass starts what the caps allow (the control plane first: it is the cluster's API endpoint).
    const reconciler = new RolloutReconciler({ db: database.db, log: pino({ level: "silent" }) });
    for (let pass = 0; pass < 10; pass++) {
      await reconciler.pass();
      const r = await database.db.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
      if (r.status === "completed") break;
    }
    const rows = await database.db.rolloutMachine.findMany({ where: { rolloutId } });
    expect(rows.length).toBe(2);
    for (const r of rows) {
      expect(r.phase).toBe("skipped");
      expect(r.attempt).toBe(0);
      expect(r.issuedAt).toBeNull();
      expect(r.progress).toBe(
        `not started: its cluster was locked by ${untrusted("olivia")} (${untrusted("power work at the store")})`,
      );
    }
    // With nothing left to start, the wave finished and the rollout completed without them.
    expect((await database.db.rollout.findUniqueOrThrow({ where: { id: rolloutId } })).status).toBe(
      "completed",
    );
    await reconciler.stop();
  });
});
