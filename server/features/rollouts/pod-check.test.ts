// The rollout's pod check against the simulator (its Kubernetes API over HTTPS, its Talos API over gRPC):
// a node whose containers crash after its upgrade (the `crash-loop` fault) holds the rollout after the
// bake, paused with the pods named; a resume accepts them (recorded on the wave and in the audit trail)
// and the rollout completes. Pods already in trouble before a wave started do not hold it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, injectFault } from "../../testing/collector-fleet";
import { principalWith } from "../../testing/principals";
import {
  approveWave,
  callerFor,
  type RolloutTestFleet,
  rolloutOf,
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
const TARGET = "v1.14.0-rc.1";

let fleet: RolloutTestFleet;
let reconciler: RolloutReconciler;
const announced: string[] = [];
beforeAll(async () => {
  // One cluster (dev-ams-1) of 3 control planes and 5 workers on v1.13.2.
  fleet = await startRolloutTestFleet({
    clusters: 1,
    nodesPerCluster: 8,
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
    notify: (text) => announced.push(text),
  }).start();
}, 90_000);
afterAll(async () => {
  await reconciler?.stop();
  await fleet?.stop();
});

async function workers() {
  return eventually(
    async () => {
      const rows = await fleet.database.db.machine.findMany({
        where: { role: "worker", health: { in: ["healthy", "degraded"] } },
        orderBy: { hostname: "asc" },
      });
      return rows.length >= 5 ? rows : undefined;
    },
    30_000,
    "the workers collected",
  );
}

async function run(ids: string[], name: string) {
  const safety = testSafety({ podCheck: true, bakeMinutes: 0.05 });
  const r = await callerFor(fleet, alice).rollouts.create(rolloutOf(ids, TARGET, { name, safety }));
  await approveWave(fleet, bob, r.id, 0);
  return r.id;
}

it("holds the rollout after the bake when pods are newly in CrashLoopBackOff; a resume accepts them", {
  timeout: 120_000,
}, async () => {
  const [w1] = await workers();
  if (!w1) throw new Error("no worker");
  await injectFault(fleet.sim, w1.hostname, { kind: "crash-loop" });
  const id = await run([w1.id], "crashing");

  const db = fleet.database.db;
  const held = await eventually(
    async () => {
      const r = await db.rollout.findUniqueOrThrow({ where: { id } });
      return r.status === "paused" ? r : undefined;
    },
    90_000,
    "the rollout held by its pod check",
  );
  // The machine itself is done: Talos on the target, Ready, schedulable. Its pods are not.
  const row = await db.rolloutMachine.findFirstOrThrow({ where: { rolloutId: id } });
  expect(row.phase).toBe("done");
  expect(held.statusReason).toMatch(
    new RegExp(
      `^.*: after the bake, \\d+ pods? newly in trouble: (.*, )?kube-system/kube-proxy-\\S+ in CrashLoopBackOff on node ${w1.hostname} of dev-ams-1(, .*)?\\. Look at them; resume to accept them and go on, or abort\\.$`,
    ),
  );
  expect(announced.some((t) => t.includes("paused by its pod check") && t.includes("CrashLoopBackOff"))).toBe(
    true,
  );
  const wave = await db.rolloutWave.findFirstOrThrow({ where: { rolloutId: id } });
  expect(wave.status).not.toBe("done");
  expect(wave.podCheckHeldAt).not.toBeNull();
  // Held, it stays held: nothing finishes the wave behind the person's back.
  await new Promise((r) => setTimeout(r, 1_500));
  expect((await db.rollout.findUniqueOrThrow({ where: { id } })).status).toBe("paused");

  await callerFor(fleet, alice).rollouts.control({ id, control: "resume" });
  await waitForStatus(fleet, id, "completed", 30_000);
  expect((await db.rolloutWave.findFirstOrThrow({ where: { rolloutId: id } })).podCheckWaivedBy).toBe(
    "alice",
  );
  const audit = await db.auditEntry.findMany({
    where: { action: "rollouts.control", target: `rollout:${id}` },
  });
  expect(audit.map((a) => a.details)).toEqual([
    expect.objectContaining({ control: "resume", acceptedPodCheck: true }),
  ]);
});

it("does not hold a wave for pods that were in trouble before it started", { timeout: 120_000 }, async () => {
  const [w1, w2] = await workers();
  if (!w1 || !w2) throw new Error("no workers");
  // The crashing node from the test above, cordoned by a person: pods moved by the drain do not land there.
  const kube = new KubeClients(
    fleet.database.db,
    new ClusterClients(fleet.database.db, { secretKey: fleet.secretKey }),
    { secretKey: fleet.secretKey },
  );
  const client = await kube.get("dev-ams-1");
  await client.patchNode(w1.hostname, { spec: { unschedulable: true } });
  const crashing = (await client.podsOnNode(w1.hostname)).filter((p) =>
    p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === "CrashLoopBackOff"),
  );
  expect(crashing.length).toBeGreaterThan(0);

  const id = await run([w2.id], "next to a crashing node");
  await waitForStatus(fleet, id, "completed", 90_000);
  const wave = await fleet.database.db.rolloutWave.findFirstOrThrow({ where: { rolloutId: id } });
  expect(wave.podCheckHeldAt).toBeNull();
  // The baseline named the pods crashing before the wave.
  const baseline = wave.podBaseline as Record<string, string[]>;
  for (const p of crashing) {
    expect(baseline["dev-ams-1"]).toContain(`${p.metadata?.namespace}/${p.metadata?.name} CrashLoopBackOff`);
  }
});
