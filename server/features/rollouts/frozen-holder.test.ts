// A rollout's lease holder frozen past its lease (SIGSTOP on its process, as a long pause) while it is
// inside an upgrade request: the other process takes over and finishes that machine; the frozen one,
// running again, notices it lost the lease and sends nothing more (no second reboot of the machine it
// was upgrading). By the simulator's own records: every machine upgraded exactly once.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Principal } from "../../model/principal";
import { eventually } from "../../testing/collector-fleet";
import {
  holderOf,
  holderWhen,
  type ReconcilerProcess,
  startTwoReconcilers,
  startWorkerRollout,
  type TwoReconcilers,
} from "../../testing/reconciler-process";
import {
  expectUpgradedOnce,
  phasesOf,
  type RolloutTestFleet,
  waitForStatus,
} from "../../testing/rollout-fleet";

const TARGET = "v1.14.0-rc.1";

let t: TwoReconcilers;
let fleet: RolloutTestFleet;
let a: ReconcilerProcess;
let b: ReconcilerProcess;
let operator: Principal;
let approver: Principal;
beforeAll(async () => {
  t = await startTwoReconcilers({ timeScale: 30 });
  ({ fleet, a, b, operator, approver } = t);
}, 120_000);
afterAll(() => t?.stop());

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
