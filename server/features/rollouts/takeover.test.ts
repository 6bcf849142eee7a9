// A takeover while the previous holder was inside the upgrade request (installing, no reboot sent):
// the follower sees the machine still on its old boot with no upgrade sequence in its events, issues
// the upgrade again in the same attempt, and the machine ends on the target after one reboot — well
// before the machine timeout.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningSimulator } from "@/sim";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { eventually } from "../../testing/collector-fleet";
import type { TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { type RolloutTestFleet, startRolloutTestFleet, testLog } from "../../testing/rollout-fleet";
import { RolloutReconciler } from "./reconciler/reconciler";

let database: TestDatabase;
let sim: RunningSimulator;
let secretKey: SecretKey;
const log = testLog;
const alice = principalWith("alice", "operator");
const bob = principalWith("bob", "approver");
const as = (p: typeof alice) => createCaller(createContextInner({ db: database.db, principal: p }));
const TARGET = "v1.14.0-rc.1";

const node = async (hostname: string) =>
  (await (await fetch(`${sim.controlUrl}/nodes/${hostname}`)).json()) as {
    talosVersion: string;
    bootCount: number;
  };

let fleet: RolloutTestFleet | undefined;
beforeAll(async () => {
  fleet = await startRolloutTestFleet({ clusters: 1, timeScale: 5, users: [alice, bob] });
  ({ database, sim, secretKey } = fleet);
}, 90_000);
afterAll(() => fleet?.stop());

it("issues an upgrade again (same attempt, one reboot) when the previous holder died inside the request", {
  timeout: 180_000,
}, async () => {
  const worker = await database.db.machine.findFirstOrThrow({
    where: { role: "worker", talosVersion: { startsWith: "v1.13" } },
    orderBy: { hostname: "asc" },
  });
  const { id } = await as(alice).rollouts.create({
    name: "takeover",
    installerImage: `ghcr.io/siderolabs/installer:${TARGET}`,
    scope: { machineIds: [worker.id] },
    wavePlan: { canary: { kind: "none" }, waves: [{ kind: "percent", percent: 100 }] },
    safety: {
      workersPerCluster: 1,
      fleetConcurrency: 4,
      siteConcurrency: 4,
      prePull: true,
      fleetPulls: 2,
      sitePulls: 2,
      windows: [],
      bakeMinutes: 0,
      failureBudget: { kind: "count", value: 0 },
      machineTimeoutMinutes: 10,
      allowSingleControlPlane: false,
    },
  });
  await as(bob).rollouts.decide({
    rolloutId: id,
    waveIndex: 0,
    revision: 1,
    approve: true,
    comment: "",
    autoAdvance: false,
  });
  const before = await node(worker.hostname);

  const opts = {
    db: database.db,
    log,
    secretKey,
    leaseMs: 2_000,
    passMs: 200,
    followMs: 200,
    settleMs: 2_000,
  };
  const a = new RolloutReconciler({ ...opts, instanceId: "a" }).start();
  await eventually(
    async () =>
      (await database.db.rolloutMachine.findFirstOrThrow({ where: { rolloutId: id } })).phase === "upgrading",
    60_000,
    "the upgrade issued",
  );
  await new Promise((r) => setTimeout(r, 1_000));
  // A crash: the request dies with the holder, the lease is not released.
  await a.stop({ releaseLeases: false });
  const row = await database.db.rolloutMachine.findFirstOrThrow({ where: { rolloutId: id } });
  expect(row.phase).toBe("upgrading");
  expect(row.actorId).toBeNull();
  expect((await node(worker.hostname)).bootCount).toBe(before.bootCount);

  const started = Date.now();
  const b = new RolloutReconciler({ ...opts, instanceId: "b" }).start();
  try {
    await eventually(
      async () => (await database.db.rollout.findUniqueOrThrow({ where: { id } })).status === "completed",
      90_000,
      "the rollout completed after the takeover",
    );
  } finally {
    await b.stop();
  }
  const done = await database.db.rolloutMachine.findFirstOrThrow({ where: { rolloutId: id } });
  expect(done.phase).toBe("done");
  expect(done.attempt).toBe(1);
  expect(done.actorId).toBeTruthy();
  const after = await node(worker.hostname);
  expect(after.talosVersion).toBe(TARGET);
  // One reboot: the re-issue never doubled an upgrade.
  expect(after.bootCount - before.bootCount).toBe(1);
  // Far sooner than the 10-minute machine timeout the follower used to wait out.
  expect(Date.now() - started).toBeLessThan(90_000);
});
