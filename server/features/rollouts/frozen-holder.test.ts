// A rollout's lease holder frozen past its lease (SIGSTOP on its process, as a long pause) while it is
// inside an upgrade request: the other process takes over and finishes that machine; the frozen one,
// running again, notices it lost the lease and sends nothing more (no second reboot of the machine it
// was upgrading). By the simulator's own records: every machine upgraded exactly once.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../../testing/collector-fleet";
import { principalWith } from "../../testing/principals";
import {
  holderOf,
  holderWhen,
  type ReconcilerProcess,
  spawnReconciler,
  startWorkerRollout,
} from "../../testing/reconciler-process";
import {
  expectUpgradedOnce,
  phasesOf,
  type RolloutTestFleet,
  startRolloutTestFleet,
  waitForStatus,
} from "../../testing/rollout-fleet";

const operator = principalWith("alice", "operator");
const approver = principalWith("bob", "approver");
const TARGET = "v1.14.0-rc.1";

let fleet: RolloutTestFleet;
const children: ChildProcess[] = [];
let a: ReconcilerProcess;
let b: ReconcilerProcess;
beforeAll(async () => {
  // One cluster of 3 control planes and 5 workers on v1.13.2; installs take 0.5 s.
  fleet = await startRolloutTestFleet({
    clusters: 1,
    nodesPerCluster: 8,
    timeScale: 30,
    users: [operator, approver],
  });
  [a, b] = await Promise.all([spawnReconciler(fleet, children), spawnReconciler(fleet, children)]);
}, 120_000);
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await fleet?.stop();
});

it("keeps a holder frozen past its lease inside an upgrade request from acting once it runs again", {
  timeout: 120_000,
}, async () => {
  const hostnames = [1, 2, 3, 4, 5].map((i) => `dev-ams-1-w-${i}`);
  const { id, bootsBefore } = await startWorkerRollout(fleet, { operator, approver }, hostnames, TARGET);
  // Inside the request: upgrading, Talos has not answered the reboot yet (no actor id).
  let inside = "";
  const holder = await holderWhen(
    fleet,
    id,
    (ms) => {
      inside = ms.find((m) => m.phase === "upgrading" && !m.actorId)?.hostname ?? "";
      return inside !== "";
    },
    "an upgrade request under way",
  );
  const [frozen, other] = holder === a.instanceId ? [a, b] : [b, a];

  frozen.child.kill("SIGSTOP");
  try {
    await eventually(async () => (await holderOf(fleet, id)) === other.instanceId, 20_000, "the takeover");
    // The new holder finishes the machine the frozen one was upgrading.
    await eventually(
      async () => (await phasesOf(fleet, id)).get(inside)?.phase === "done",
      60_000,
      `${inside} done under the new holder`,
    );
  } finally {
    frozen.child.kill("SIGCONT");
  }
  // Running again, it notices at once that it lost the lease and stops acting on the rollout.
  await eventually(
    async () => frozen.output().includes("rollout lease lost: this instance stopped acting on the rollout"),
    20_000,
    "the frozen instance noticing",
  );
  await waitForStatus(fleet, id, "completed", 90_000);
  expect(await holderOf(fleet, id)).toBe(other.instanceId);
  // Among others: the machine it was upgrading rebooted once, not again by its resumed request.
  await expectUpgradedOnce(fleet, id, bootsBefore, TARGET);
});
