// Aborting a rollout mid-wave against the simulator: nothing new starts (the simulator's own records show
// no upgrade request for the machines that had not started), a machine whose reboot had begun finishes
// and is verified on the target, the rollout ends as aborted, announced and audited.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../../testing/collector-fleet";
import { principalWith } from "../../testing/principals";
import {
  approveWave,
  callerFor,
  phasesOf,
  type RolloutTestFleet,
  rolloutOf,
  simNode,
  startRolloutTestFleet,
  testLog,
  testSafety,
  upgradesInEffect,
  waitForStatus,
} from "../../testing/rollout-fleet";
import { RolloutReconciler } from "./reconciler/reconciler";

const alice = principalWith("alice", "operator");
const bob = principalWith("bob", "approver");
const TARGET = "v1.14.0-rc.1";

let fleet: RolloutTestFleet;
beforeAll(async () => {
  // One cluster of 3 control planes and 5 workers on v1.13.2.
  fleet = await startRolloutTestFleet({
    clusters: 1,
    nodesPerCluster: 8,
    timeScale: 30,
    users: [alice, bob],
  });
}, 90_000);
afterAll(() => fleet?.stop());

it("aborted mid-wave: starts nothing new, lets a machine already rebooting finish on the target, ends aborted, audited", {
  timeout: 120_000,
}, async () => {
  const db = fleet.database.db;
  const workers = await db.machine.findMany({ where: { role: "worker" }, orderBy: { hostname: "asc" } });
  expect(workers).toHaveLength(5);
  const before = new Map(
    await Promise.all(workers.map(async (w) => [w.hostname, await simNode(fleet.sim, w.hostname)] as const)),
  );
  const { id } = await callerFor(fleet, alice).rollouts.create(
    rolloutOf(
      workers.map((w) => w.id),
      TARGET,
      { safety: testSafety({ fleetConcurrency: 1, fleetPulls: 1, sitePulls: 1 }) },
    ),
  );
  await approveWave(fleet, bob, id, 0);

  const announced: string[] = [];
  const reconciler = new RolloutReconciler({
    db,
    log: testLog,
    secretKey: fleet.secretKey,
    leaseMs: 5_000,
    passMs: 200,
    followMs: 200,
    notify: (text) => announced.push(text),
  }).start();
  try {
    // Mid-wave: one machine drained and rebooting, the others not started. (A machine still draining
    // at the abort is not rebooted: drain.test.ts.)
    const rebooting = /^(cordoned; drained; rebooting|upgrade accepted|phase |sequence |rebooting)/;
    await eventually(
      async () =>
        [...(await phasesOf(fleet, id)).values()].some(
          (m) => m.phase === "upgrading" && rebooting.test(m.progress),
        ),
      60_000,
      "a machine rebooting",
    );
    await callerFor(fleet, alice).rollouts.control({ id, control: "abort" });
    const atAbort = await phasesOf(fleet, id);
    const inFlight = [...atAbort.values()].filter((m) => m.phase === "upgrading" || m.phase === "pulling");
    const notStarted = [...atAbort.values()].filter((m) => m.phase === "pending" || m.phase === "pulled");
    expect(inFlight.some((m) => m.phase === "upgrading")).toBe(true);
    expect(notStarted.length).toBeGreaterThanOrEqual(2);

    await waitForStatus(fleet, id, "aborted", 60_000);
    const after = await phasesOf(fleet, id);
    const r = await db.rollout.findUniqueOrThrow({ where: { id } });
    expect(r.finishedAt).not.toBeNull();
    expect(r.statusReason).toBe("aborted by alice");

    // In flight at the abort: finished, verified on the target on a new boot id, upgraded once.
    for (const m of inFlight.filter((x) => x.phase === "upgrading")) {
      const row = after.get(m.machine.hostname);
      expect(row?.phase).toBe("done");
      expect(row?.bootIdAfter).not.toBe(row?.bootIdBefore);
      const node = await simNode(fleet.sim, m.machine.hostname);
      expect(node.talosVersion).toBe(TARGET);
      expect(node.bootCount - (before.get(m.machine.hostname)?.bootCount ?? 0)).toBe(1);
      expect(upgradesInEffect(node)).toBe(1);
    }
    // Not started at the abort: never asked to upgrade (the machine's own record), untouched.
    for (const m of notStarted) {
      expect(["pending", "pulled"]).toContain(after.get(m.machine.hostname)?.phase);
      const node = await simNode(fleet.sim, m.machine.hostname);
      expect(node.upgradeCalls).toEqual([]);
      expect(node.talosVersion).toBe(before.get(m.machine.hostname)?.talosVersion);
      expect(node.bootCount).toBe(before.get(m.machine.hostname)?.bootCount);
    }
    expect(announced.at(-1)).toMatch(
      new RegExp(`^Rollout "to ${TARGET}" to ${TARGET} aborted: \\d+ done, \\d+ machines not upgraded\\.$`),
    );

    const audit = await db.auditEntry.findMany({ where: { action: "rollouts.control" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      result: "ok",
      target: `rollout:${id}`,
      details: { control: "abort" },
    });
    // An aborted rollout cannot be resumed.
    await expect(callerFor(fleet, alice).rollouts.control({ id, control: "resume" })).rejects.toThrow(
      "The rollout is aborted, so it cannot resume.",
    );
  } finally {
    await reconciler.stop();
  }
});
