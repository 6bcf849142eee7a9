// Rollouts and Kubernetes, against the simulator's Kubernetes API (real HTTPS, @kubernetes/client-node)
// and its Talos API (real gRPC over mTLS): on the LifecycleService path each node is cordoned and drained
// through the Eviction API before its reboot (no workload pod is killed by it), Ready again on its new
// boot before it counts as done, and uncordoned; a disruption budget allowing nothing blocks the drain,
// the machine's row says which budget, and at the drain timeout the node is uncordoned and NOT rebooted;
// a node that never becomes Ready after its boot fails the gate; on the legacy path Minos does not drain
// (machined does) but waits for Ready and leaves the node schedulable.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, injectFault } from "../../testing/collector-fleet";
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
  waitForStatus,
} from "../../testing/rollout-fleet";
import { ClusterClients } from "../credentials/cluster-clients";
import { KubeClients } from "../kubernetes/kube-clients";
import { RolloutReconciler } from "./reconciler/reconciler";

const alice = principalWith("alice", "operator");
const bob = principalWith("bob", "approver");

let fleet: RolloutTestFleet;
let reconciler: RolloutReconciler;
let kube: KubeClients;
beforeAll(async () => {
  // dev-ams-1: workers on v1.13.2 (LifecycleService path); edge-sfo-2: workers on v1.11.6 (legacy path).
  fleet = await startRolloutTestFleet({
    clusters: 2,
    nodesPerCluster: 6,
    timeScale: 30,
    users: [alice, bob],
  });
  reconciler = new RolloutReconciler({
    db: fleet.database.db,
    log: testLog,
    secretKey: fleet.secretKey,
    leaseMs: 5_000,
    passMs: 200,
    followMs: 200,
    kubePollMs: 250,
  }).start();
  kube = new KubeClients(
    fleet.database.db,
    new ClusterClients(fleet.database.db, { secretKey: fleet.secretKey }),
    {
      secretKey: fleet.secretKey,
    },
  );
}, 90_000);
afterAll(async () => {
  await reconciler?.stop();
  await fleet?.stop();
});

interface KubeStats {
  totals: {
    podsKilledByReboot: number;
    pdbViolations: number;
    evictionsAccepted: number;
    evictionsRefused: number;
  };
  clusters: Array<{
    cluster: string;
    cordonedNodes: string[];
    podsKilledByReboot: number;
    evictionsAccepted: number;
  }>;
}
async function kubeStats(): Promise<KubeStats> {
  const res = await fetch(`${fleet.sim.controlUrl}/kube`);
  expect(res.ok).toBe(true);
  return (await res.json()) as KubeStats;
}

async function workers(cluster: string) {
  return eventually(
    async () => {
      const rows = await fleet.database.db.machine.findMany({
        where: { cluster: { name: cluster }, role: "worker", health: { in: ["healthy", "degraded"] } },
        orderBy: { hostname: "asc" },
      });
      return rows.length >= 3 ? rows : undefined;
    },
    30_000,
    `workers of ${cluster} collected`,
  );
}

/** Creates and approves a one-wave rollout of these machines. */
async function run(ids: string[], target: string, name: string, safety = testSafety()) {
  const r = await callerFor(fleet, alice).rollouts.create(rolloutOf(ids, target, { name, safety }));
  await approveWave(fleet, bob, r.id, 0);
  return r.id;
}

/** Every progress text the machine's row showed until the rollout completed. */
async function progressUntilCompleted(rolloutId: string, hostname: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const watching = (async () => {
    for (;;) {
      const row = (await phasesOf(fleet, rolloutId)).get(hostname);
      if (row?.progress) seen.add(row.progress);
      if (!row || row.phase === "done" || row.phase === "failed") return;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await waitForStatus(fleet, rolloutId, "completed", 100_000);
  await watching;
  return seen;
}

it("cordons, drains, reboots, waits for Ready and uncordons each node: no workload pod killed, DaemonSets left", {
  timeout: 120_000,
}, async () => {
  const [w1] = await workers("dev-ams-1");
  if (!w1) throw new Error("no worker");
  const client = await kube.get("dev-ams-1");
  const before = await client.podsOnNode(w1.hostname);
  const daemonSets = before.filter((p) => p.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet"));
  const moved = before.filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet"));
  expect(daemonSets.length).toBeGreaterThan(0);
  expect(moved.length).toBeGreaterThan(0);
  const bootsBefore = (await simNode(fleet.sim, w1.hostname)).bootCount;
  const stats0 = await kubeStats();

  // Watch the row while it runs: it says cordoned and draining before the reboot.
  const id = await run([w1.id], "v1.14.0-rc.1", "drained");
  const seen = await progressUntilCompleted(id, w1.hostname);

  const row = (await phasesOf(fleet, id)).get(w1.hostname);
  expect(row).toMatchObject({ phase: "done", attempt: 1 });
  expect(row?.progress).toMatch(
    /^runs v1\.14\.0-rc\.1 on a new boot id; Ready in Kubernetes and schedulable$/,
  );
  expect([...seen].some((t) => t.startsWith("cordoned; draining"))).toBe(true);
  expect((await simNode(fleet.sim, w1.hostname)).bootCount - bootsBefore).toBe(1);

  // Kubernetes: schedulable again, no Minos annotation, Ready; DaemonSet pods back, workloads moved.
  const node = await client.getNode(w1.hostname);
  expect(node.spec?.unschedulable ?? false).toBe(false);
  expect(node.metadata?.annotations?.["minos.dev/cordoned-for"]).toBeUndefined();
  expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  const stats = await kubeStats();
  expect(stats.totals.podsKilledByReboot - stats0.totals.podsKilledByReboot).toBe(0);
  expect(stats.totals.pdbViolations - stats0.totals.pdbViolations).toBe(0);
  expect(stats.totals.evictionsAccepted - stats0.totals.evictionsAccepted).toBeGreaterThanOrEqual(
    moved.length,
  );
  for (const p of moved) {
    const now = await client.getPod(p.metadata?.namespace ?? "", p.metadata?.name ?? "");
    // Evicted: gone, or (a StatefulSet's pod) the same name with a new uid.
    expect(now?.metadata?.uid === p.metadata?.uid, `${p.metadata?.name} evicted`).toBe(false);
  }
  // The audit trail records what the rollout did to the machine, with who approved the wave.
  const audit = await fleet.database.db.auditEntry.findMany({
    where: { action: "rollouts.upgradeMachine", target: `machine:${w1.id}` },
  });
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actor: "rollout:drained", result: "ok" });
  expect(audit[0]?.details).toMatchObject({
    rollout: id,
    hostname: w1.hostname,
    approvedBy: ["bob"],
    outcome: "done",
    to: "v1.14.0-rc.1",
    attempt: 1,
  });
  expect((audit[0]?.details as { drainMs?: number } | undefined)?.drainMs).toBeGreaterThan(0);
});

it("stops a drain blocked by a disruption budget at its timeout: says why, uncordons, does not reboot, fails", {
  timeout: 120_000,
}, async () => {
  const [, w2] = await workers("dev-ams-1");
  if (!w2) throw new Error("no worker");
  await injectFault(fleet.sim, w2.hostname, { kind: "pdb-block" });
  const bootsBefore = (await simNode(fleet.sim, w2.hostname)).bootCount;
  const id = await run(
    [w2.id],
    "v1.14.0-rc.1",
    "blocked",
    testSafety({ drainTimeoutMinutes: 0.15, failureBudget: { kind: "count", value: 1 } }),
  );
  // While it waits, the row says which budget blocks it.
  const waiting = await eventually(
    async () => {
      const row = (await phasesOf(fleet, id)).get(w2.hostname);
      return row?.progress.includes("PDB vault/vault-pdb") ? row.progress : undefined;
    },
    60_000,
    "the blocked drain shown",
  );
  expect(waiting).toMatch(
    /^cordoned; draining: \d+ of \d+ pods? left; waiting: (.*; )?PDB vault\/vault-pdb allows 0 disruptions \(1 of 1 healthy required\)/,
  );
  const client = await kube.get("dev-ams-1");
  expect((await client.getNode(w2.hostname)).spec?.unschedulable).toBe(true);
  // The collector's node watch shows who cordoned it, and the machines list filters on it.
  await eventually(
    async () =>
      (await fleet.database.db.machine.findUniqueOrThrow({ where: { id: w2.id } })).kubeCordon ===
      `cordoned by Minos for rollout/${id}`,
    30_000,
    "the cordon seen by the collector",
  );
  const cordoned = await callerFor(fleet, alice).machines.list({ node: "cordoned" });
  expect(cordoned.rows.map((r) => r.hostname)).toEqual([w2.hostname]);

  await eventually(
    async () => (await phasesOf(fleet, id)).get(w2.hostname)?.phase === "failed",
    60_000,
    "the machine failed at the drain timeout",
  );
  const row = (await phasesOf(fleet, id)).get(w2.hostname);
  expect(row?.error).toMatch(
    /^drain timed out: drain of node .* timed out after 9 s with \d+ of \d+ pods still on it: PDB vault\/vault-pdb allows 0 disruptions .*; the node was not rebooted and was uncordoned; the new version is installed and takes effect at the machine's next reboot$/,
  );
  const node = await client.getNode(w2.hostname);
  expect(node.spec?.unschedulable ?? false).toBe(false);
  expect(node.metadata?.annotations?.["minos.dev/cordoned-for"]).toBeUndefined();
  const sim = await simNode(fleet.sim, w2.hostname);
  expect(sim.bootCount).toBe(bootsBefore);
  expect(sim.talosVersion).not.toBe("v1.14.0-rc.1");
  // Its machine finished (failed): the rollout can be ended, and the machine taken again.
  await callerFor(fleet, alice).rollouts.control({ id, control: "abort" });
  await waitForStatus(fleet, id, "aborted", 20_000);
});

it("stops a drain when the rollout is aborted: uncordons, does not reboot, and the machine is not started", {
  timeout: 120_000,
}, async () => {
  // The second worker still carries the budget that allows no disruption (the test above).
  const [, w2] = await workers("dev-ams-1");
  if (!w2) throw new Error("no worker");
  const bootsBefore = (await simNode(fleet.sim, w2.hostname)).bootCount;
  const id = await run([w2.id], "v1.14.0-rc.1", "aborted mid-drain");
  await eventually(
    async () => (await phasesOf(fleet, id)).get(w2.hostname)?.progress.includes("PDB vault/vault-pdb"),
    60_000,
    "the blocked drain shown",
  );
  const client = await kube.get("dev-ams-1");
  expect((await client.getNode(w2.hostname)).spec?.unschedulable).toBe(true);

  await callerFor(fleet, alice).rollouts.control({ id, control: "abort" });
  // Long before the 5-minute drain timeout: the drain stops at the abort.
  await waitForStatus(fleet, id, "aborted", 20_000);
  const row = (await phasesOf(fleet, id)).get(w2.hostname);
  expect(row?.phase).toBe("skipped");
  expect(row?.error).toBe(
    "rollout aborted during the drain: not rebooted and was uncordoned; the new version is installed and takes effect at the machine's next reboot",
  );
  const node = await client.getNode(w2.hostname);
  expect(node.spec?.unschedulable ?? false).toBe(false);
  expect(node.metadata?.annotations?.["minos.dev/cordoned-for"]).toBeUndefined();
  expect((await simNode(fleet.sim, w2.hostname)).bootCount).toBe(bootsBefore);
  // Recorded as left as it was: not a failure of the machine.
  const audit = await fleet.database.db.auditEntry.findFirst({
    where: { action: "rollouts.upgradeMachine", actor: "rollout:aborted mid-drain" },
  });
  expect(audit).toMatchObject({ result: "ok", details: expect.objectContaining({ outcome: "skipped" }) });
});

it("fails the gate for a node that never becomes Ready after its boot", { timeout: 120_000 }, async () => {
  const [, , w3] = await workers("dev-ams-1");
  if (!w3) throw new Error("no worker");
  await injectFault(fleet.sim, w3.hostname, { kind: "kube-never-ready" });
  const id = await run(
    [w3.id],
    "v1.14.0-rc.1",
    "never ready",
    testSafety({ nodeReadyTimeoutMinutes: 0.2, failureBudget: { kind: "count", value: 1 } }),
  );
  await eventually(
    async () => {
      const r = (await phasesOf(fleet, id)).get(w3.hostname);
      return r?.phase === "failed";
    },
    90_000,
    "the machine failed its Ready gate",
  );
  const row = (await phasesOf(fleet, id)).get(w3.hostname);
  expect(row?.error).toMatch(
    /^node .* did not become Ready in Kubernetes within 12 s after the reboot \(last seen NotReady/,
  );
  // Talos itself is back on the target: it is Kubernetes that is not, and the machine's health says so.
  expect((await simNode(fleet.sim, w3.hostname)).talosVersion).toBe("v1.14.0-rc.1");
  const seen = await eventually(
    async () => {
      const m = await fleet.database.db.machine.findUniqueOrThrow({ where: { id: w3.id } });
      return m.kubeReady === false && m.health === "unhealthy" ? m : undefined;
    },
    30_000,
    "the NotReady node in the machine's health",
  );
  expect(seen.kubeReason).not.toBe("");
  const notReady = await callerFor(fleet, alice).machines.list({ node: "not-ready" });
  expect(notReady.rows.map((r) => r.hostname)).toContain(w3.hostname);
});

it("does not drain on the legacy path (machined does) but waits for Ready and leaves the node schedulable", {
  timeout: 120_000,
}, async () => {
  const [w] = await workers("edge-sfo-2");
  if (!w) throw new Error("no worker");
  const stats0 = await kubeStats();
  const id = await run([w.id], "v1.12.11", "legacy");
  const seen = await progressUntilCompleted(id, w.hostname);
  expect([...seen].some((t) => t.includes("draining"))).toBe(false);
  expect((await phasesOf(fleet, id)).get(w.hostname)?.progress).toMatch(
    /Ready in Kubernetes and schedulable$/,
  );
  const client = await kube.get("edge-sfo-2");
  expect((await client.getNode(w.hostname)).spec?.unschedulable ?? false).toBe(false);
  const stats = await kubeStats();
  expect(stats.totals.podsKilledByReboot - stats0.totals.podsKilledByReboot).toBe(0);
});
