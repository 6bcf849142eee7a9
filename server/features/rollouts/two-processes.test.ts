// Two rollout reconcilers in separate OS processes (run-reconciler.ts) on one database and one
// simulator. Killing the lease holder with kill -9 mid-wave, the other takes over within the lease
// time and completes the rollout; the simulator's own record of the upgrade requests every node
// received shows no machine upgraded twice, none refused as "in progress", none left behind.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Principal } from "../../model/principal";
import { eventually } from "../../testing/collector-fleet";
import {
  holderOf,
  holderWhen,
  PROCESS_LEASE_MS,
  type ReconcilerProcess,
  startTwoReconcilers,
  startWorkerRollout,
  type TwoReconcilers,
} from "../../testing/reconciler-process";
import { expectUpgradedOnce, type RolloutTestFleet, waitForStatus } from "../../testing/rollout-fleet";

const TARGET = "v1.14.0-rc.1";

let t: TwoReconcilers;
let fleet: RolloutTestFleet;
let a: ReconcilerProcess;
let b: ReconcilerProcess;
let operator: Principal;
let approver: Principal;
beforeAll(async () => {
  t = await startTwoReconcilers({ timeScale: 60 });
  ({ fleet, a, b, operator, approver } = t);
}, 120_000);
afterAll(() => t?.stop());

it("takes over from a holder killed with kill -9 mid-wave within the lease time, upgrading every machine exactly once", {
  timeout: 120_000,
}, async () => {
  const hostnames = [1, 2, 3, 4, 5].map((i) => `dev-ams-1-w-${i}`);
  const { id, bootsBefore } = await startWorkerRollout(fleet, { operator, approver }, hostnames, TARGET);
  // Mid-wave: a machine upgrading, another not yet.
  const holder = await holderWhen(
    fleet,
    id,
    (ms) =>
      ms.some((m) => m.phase === "upgrading") &&
      ms.some((m) => m.phase === "pending" || m.phase === "pulled"),
    "the rollout mid-wave",
  );
  const [victim, survivor] = holder === a.instanceId ? [a, b] : [b, a];
  expect(holder).toBe(victim.instanceId);

  victim.child.kill("SIGKILL");
  const killedAt = Date.now();
  await eventually(async () => (await holderOf(fleet, id)) === survivor.instanceId, 20_000, "the takeover");
  // Within the lease, plus a pass of the survivor.
  expect(Date.now() - killedAt).toBeLessThan(PROCESS_LEASE_MS + 2_000);

  await waitForStatus(fleet, id, "completed", 90_000);
  await expectUpgradedOnce(fleet, id, bootsBefore, TARGET);
});
