// A drain cut short by kill -9: two reconciler processes on one database and one simulator; the lease
// holder is killed while a disruption budget holds its drain (the node cordoned, marked as the rollout's),
// the budget then frees up, and the other process takes over: it recognises the cordon as the rollout's
// own, drains again, reboots once, waits for Ready and uncordons. The simulator's records show one reboot
// and one upgrade in effect, no workload pod killed by the reboot, and no node left cordoned. Aborted while
// nobody held it, the taker-over does not issue the upgrade again: it lifts the rollout's cordon instead.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Principal } from "../../model/principal";
import { clearFaults, eventually, injectFault } from "../../testing/collector-fleet";
import {
  holderOf,
  type ReconcilerProcess,
  startTwoReconcilers,
  startWorkerRollout,
  type TwoReconcilers,
} from "../../testing/reconciler-process";
import {
  callerFor,
  expectUpgradedOnce,
  phasesOf,
  type RolloutTestFleet,
  simNode,
  waitForStatus,
} from "../../testing/rollout-fleet";
import { ClusterClients } from "../credentials/cluster-clients";
import { KubeClients } from "../kubernetes/kube-clients";

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

function kubeClients(): KubeClients {
  const clients = new ClusterClients(fleet.database.db, { secretKey: fleet.secretKey });
  return new KubeClients(fleet.database.db, clients, { secretKey: fleet.secretKey });
}

it("finishes a drain whose holder was killed with kill -9: one reboot, no pod killed, no node left cordoned", {
  timeout: 120_000,
}, async () => {
  const hostname = "dev-ams-1-w-1";
  await injectFault(fleet.sim, hostname, { kind: "pdb-block" });
  const stats = async () =>
    (await (await fetch(`${fleet.sim.controlUrl}/kube`)).json()) as {
      totals: { podsKilledByReboot: number; cordonedNodes: number };
    };
  const killedBefore = (await stats()).totals.podsKilledByReboot;
  const { id, bootsBefore } = await startWorkerRollout(fleet, { operator, approver }, [hostname], TARGET);

  // The drain waits on the budget: the node is cordoned for this rollout.
  await eventually(
    async () => (await phasesOf(fleet, id)).get(hostname)?.progress.includes("PDB vault/vault-pdb"),
    60_000,
    "the drain blocked by the budget",
  );
  const client = await kubeClients().get("dev-ams-1");
  expect((await client.getNode(hostname)).metadata?.annotations?.["minos.dev/cordoned-for"]).toBe(
    `rollout/${id}`,
  );

  const holder = await holderOf(fleet, id);
  const [victim, survivor] = holder === a.instanceId ? [a, b] : [b, a];
  victim.child.kill("SIGKILL");
  await clearFaults(fleet.sim, hostname, "pdb-block");
  await eventually(async () => (await holderOf(fleet, id)) === survivor.instanceId, 20_000, "the takeover");

  await waitForStatus(fleet, id, "completed", 90_000);
  await expectUpgradedOnce(fleet, id, bootsBefore, TARGET);
  const node = await client.getNode(hostname);
  expect(node.spec?.unschedulable ?? false).toBe(false);
  expect(node.metadata?.annotations?.["minos.dev/cordoned-for"]).toBeUndefined();
  const after = await stats();
  expect(after.totals.podsKilledByReboot - killedBefore).toBe(0);
  expect(after.totals.cordonedNodes).toBe(0);
});

it("ends a drain cut short by kill -9 when the rollout is aborted meanwhile: no reboot, the cordon lifted", {
  timeout: 120_000,
}, async () => {
  const hostname = "dev-ams-1-w-2";
  await injectFault(fleet.sim, hostname, { kind: "pdb-block" });
  const { id, bootsBefore } = await startWorkerRollout(fleet, { operator, approver }, [hostname], TARGET);
  await eventually(
    async () => (await phasesOf(fleet, id)).get(hostname)?.progress.includes("PDB vault/vault-pdb"),
    60_000,
    "the drain blocked by the budget",
  );
  // The test above killed one of the two processes: a fresh one is there to take over.
  const fresh = await t.spawn();
  const holder = await holderOf(fleet, id);
  const victim = [a, b, fresh].find((p) => p.instanceId === holder);
  if (!victim) throw new Error("no process holds the rollout");
  victim.child.kill("SIGKILL");
  // Aborted while nobody holds it: the node stays cordoned for this rollout until the takeover.
  await callerFor(fleet, operator).rollouts.control({ id, control: "abort" });
  await eventually(
    async () => ![null, victim.instanceId].includes(await holderOf(fleet, id)),
    20_000,
    "the takeover",
  );

  await waitForStatus(fleet, id, "aborted", 60_000);
  const row = (await phasesOf(fleet, id)).get(hostname);
  expect(row?.phase).toBe("skipped");
  expect(row?.error).toBe(
    `rollout aborted before the reboot: not rebooted; node ${hostname} was uncordoned; if the new version was installed, it takes effect at the machine's next reboot`,
  );
  const client = await kubeClients().get("dev-ams-1");
  const node = await client.getNode(hostname);
  expect(node.spec?.unschedulable ?? false).toBe(false);
  expect(node.metadata?.annotations?.["minos.dev/cordoned-for"]).toBeUndefined();
  expect((await simNode(fleet.sim, hostname)).bootCount).toBe(bootsBefore.get(hostname));
  await clearFaults(fleet.sim, hostname, "pdb-block");
});
