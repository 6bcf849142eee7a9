// The Shutdown RPC runs Talos's shutdown sequence (v1alpha1_sequencer.go `Shutdown`): unlike a reboot,
// machined cordons and drains the node itself first, unless `force`; the machine then stays off until it
// is powered on (control API), boots on a new boot id, and Talos lifts its own cordon.
import type { V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClients, until } from "./kube/test-kube";
import { md, phasesStartedBy, startTestSim, type TestSim, unary } from "./test-helpers";

type Cluster = TestSim["sim"]["clusters"][number];
type SimNode = Cluster["nodes"][number];
let t: TestSim;
let cluster: Cluster;
let c: ReturnType<TestSim["clients"]>;
let workers: SimNode[];

beforeAll(async () => {
  t = await startTestSim({ clusters: 1, nodesPerCluster: 6, seed: "shutdown", timeScale: 30, healthy: true });
  cluster = t.sim.clusters[0] as Cluster;
  workers = cluster.nodes.filter((n) => n.role === "worker");
  if (workers.length < 2) throw new Error(`the test needs 2 workers, the fleet has ${workers.length}`);
  c = t.clients(cluster.endpoint);
});
afterAll(() => t.close());

/** The phases a shutdown of `node` starts, as its events tell until its API goes down. */
async function phasesOfShutdown(node: string, force: boolean): Promise<string[]> {
  const { sent, phases } = await phasesStartedBy(
    c,
    node,
    () => unary(c.machine.shutdown, c.machine, { force }, md({ node })),
    20_000,
  );
  expect(sent.err).toBeNull();
  return phases;
}

const detail = async (host: string) =>
  (await t.control("GET", `/nodes/${host}`)).json as {
    poweredOff: boolean;
    bootCount: number;
    stage: string;
  };
const workload = (p: V1Pod) =>
  !p.metadata?.annotations?.["kubernetes.io/config.mirror"] &&
  p.metadata?.ownerReferences?.[0]?.kind !== "DaemonSet";
const killed = async () =>
  ((await t.control("GET", "/kube")).json as { totals: { podsKilledByReboot: number } }).totals
    .podsKilledByReboot;

describe("a shutdown", () => {
  it("cordons and drains the node (machined's own drain), stops everything and stays off until powered on", async () => {
    const w = workers[0] as SimNode;
    const k = kubeClients(await cluster.kubeconfig());
    const before = (await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${w.nodeName}` }))
      .items;
    expect(before.filter(workload).length).toBeGreaterThan(0);
    const killedBefore = await killed();

    expect(await phasesOfShutdown(w.address, false)).toEqual([
      "storeShutdown",
      "drain",
      "cleanup",
      "dbus",
      "stopServices",
      "umount",
      "unmountBind",
      "unmountSystem",
      "volumeFinalize",
      "stopEverything",
    ]);
    await until("powered off", async () => (await detail(w.hostname)).poweredOff);
    // Drained, not killed: no workload pod stopped where it stood; the node is cordoned by Talos.
    expect(await killed()).toBe(killedBefore);
    const node = await k.core.readNode({ name: w.nodeName });
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.metadata?.annotations?.["talos.dev/cordoned"]).toBe("true");
    // Off: its API does not answer.
    const v = await unary(c.machine.version, c.machine, {}, md({ node: w.address }));
    expect(v.err).not.toBeNull();

    const boots = (await detail(w.hostname)).bootCount;
    expect((await t.control("POST", `/nodes/${w.hostname}/power-on`)).status).toBe(202);
    await until("booted again", async () => {
      const d = await detail(w.hostname);
      return !d.poweredOff && d.bootCount === boots + 1 && d.stage === "RUNNING";
    });
    await until("Ready and uncordoned by Talos", async () => {
      const n = await k.core.readNode({ name: w.nodeName });
      return (
        !n.spec?.unschedulable && n.status?.conditions?.find((x) => x.type === "Ready")?.status === "True"
      );
    });
    // Powering on a machine that is on is refused.
    expect((await t.control("POST", `/nodes/${w.hostname}/power-on`)).status).toBe(409);
  });

  it("with force skips the drain: the pods are stopped where they stand", async () => {
    const w = workers[1] as SimNode;
    expect(await phasesOfShutdown(w.address, true)).toEqual([
      "storeShutdown",
      "cleanup",
      "dbus",
      "stopServices",
      "umount",
      "unmountBind",
      "unmountSystem",
      "volumeFinalize",
      "stopEverything",
    ]);
    await until("powered off", async () => (await detail(w.hostname)).poweredOff);
  });
});
