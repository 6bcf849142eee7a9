// An instance issued an upgrade and died before its answer arrived, so the rollout never learned the
// upgrade's actor id. The follower finds the machine back on the target and takes the actor id from the
// upgrade's sequence in the machine's stored events: the rollout still says which Talos actor upgraded it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ChannelPool, TalosClient } from "../../talos";
import { parseTalosconfig } from "../../talos/talosconfig";
import { eventually } from "../../testing/collector-fleet";
import { principalWith } from "../../testing/principals";
import {
  callerFor,
  type RolloutTestFleet,
  rolloutOf,
  startRolloutTestFleet,
  testLog,
  testSafety,
} from "../../testing/rollout-fleet";
import { RolloutReconciler } from "./reconciler/reconciler";

const alice = principalWith("alice", "operator");
const bob = principalWith("bob", "approver");
const TARGET = "v1.14.0-rc.1";
const pool = new ChannelPool();

let fleet: RolloutTestFleet;
beforeAll(async () => {
  fleet = await startRolloutTestFleet({ clusters: 1, timeScale: 5, users: [alice, bob] });
}, 90_000);
afterAll(async () => {
  pool.close();
  await fleet?.stop();
});

it("records the upgrade's actor id from the machine's events when the issuing instance never got the answer", {
  timeout: 180_000,
}, async () => {
  const { database, sim, secretKey } = fleet;
  const db = database.db;
  const worker = await db.machine.findFirstOrThrow({
    where: { role: "worker", talosVersion: { startsWith: "v1.13" } },
    orderBy: { hostname: "asc" },
  });
  const { id } = await callerFor(fleet, alice).rollouts.create(
    rolloutOf([worker.id], TARGET, { safety: testSafety({ prePull: false }) }),
  );
  await callerFor(fleet, bob).rollouts.decide({
    rolloutId: id,
    waveIndex: 0,
    revision: 1,
    approve: true,
    comment: "",
    autoAdvance: false,
  });

  // What the lost instance left behind: the row moved to `upgrading` and the request sent, no answer kept.
  const issuedAt = new Date();
  await db.rolloutMachine.updateMany({
    where: { rolloutId: id },
    data: { phase: "upgrading", attempt: 1, issuedAt, bootIdBefore: worker.bootId, actorId: null },
  });
  const context = parseTalosconfig(sim.talosconfig).contexts[0];
  if (!context) throw new Error("the simulator's talosconfig has no context");
  const talos = new TalosClient(context, { pool });
  const upgraded = await talos.upgrade({
    node: worker.address,
    image: `ghcr.io/siderolabs/installer:${TARGET}`,
  });
  expect(upgraded.actorId).not.toBe("");
  // The collector stored the sequence the upgrade started (its event carries the actor id).
  await eventually(
    () =>
      db.machineEvent.count({ where: { machineId: worker.id, actorId: upgraded.actorId, kind: "sequence" } }),
    30_000,
    "the upgrade's sequence stored",
  );

  const reconciler = new RolloutReconciler({
    db,
    log: testLog,
    secretKey,
    instanceId: "follower",
    leaseMs: 2_000,
    passMs: 200,
    followMs: 200,
    settleMs: 2_000,
  }).start();
  try {
    await eventually(
      async () => (await db.rollout.findUniqueOrThrow({ where: { id } })).status === "completed",
      60_000,
      "the rollout completed",
    );
  } finally {
    await reconciler.stop();
  }
  const row = await db.rolloutMachine.findFirstOrThrow({ where: { rolloutId: id } });
  expect(row.phase).toBe("done");
  expect(row.attempt).toBe(1);
  expect(row.actorId).toBe(upgraded.actorId);
  expect(row.bootIdAfter).not.toBe(worker.bootId);
});
