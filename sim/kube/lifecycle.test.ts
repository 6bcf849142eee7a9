// Talos's side of Kubernetes: a reboot stops pods where they stand (no drain) and the simulator counts what it
// killed; the legacy upgrade cordons (talos.dev/cordoned), drains and uncordons; pdb-block, kube-never-ready,
// crash-loop,
// and a node that stops posting status (NodeStatusUnknown after the grace period).
import { PatchStrategy, setHeaderOptions, type V1Node, type V1Pod, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Clients, md, startTestSim, type TestSim, unary } from "../test-helpers";
import { kubeClients, statusBody, until } from "./test-kube";

type Cluster = TestSim["sim"]["clusters"][number];
let t: TestSim;

beforeAll(async () => {
  t = await startTestSim({
    clusters: 4,
    nodesPerCluster: 6,
    seed: "kube-life",
    timeScale: 100,
    healthy: true,
  });
});
afterAll(() => t.close());

async function setup(i: number) {
  const cluster = t.sim.clusters[i] as Cluster;
  const k = kubeClients(await cluster.kubeconfig());
  const workers = cluster.nodes.filter((n) => n.role === "worker");
  return { cluster, k, workers, c: t.clients(cluster.endpoint) };
}

interface NodeDetail {
  stage: string;
  ready: boolean;
  bootCount: number;
  unmetConditions: Array<{ name: string; reason: string }>;
}
const detail = async (host: string) => (await t.control("GET", `/nodes/${host}`)).json as NodeDetail;

/** Reboot RPC; mode 2 is FORCE (no StopAllPods: the machine goes down with its pods as they are). */
async function reboot(c: Clients, address: string, mode = 0): Promise<void> {
  const r = await unary(c.machine.reboot, c.machine, { mode }, md({ node: address }));
  expect(r.err).toBeNull();
}

const workload = (p: V1Pod) =>
  !p.metadata?.annotations?.["kubernetes.io/config.mirror"] &&
  p.metadata?.ownerReferences?.[0]?.kind !== "DaemonSet";
const isReady = (p: { status?: { conditions?: Array<{ type: string; status: string }> } }) =>
  p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") ?? false;

interface KubeSummary {
  podsKilledByReboot: number;
  killedPods: Array<{ pod: string; node: string }>;
  pdbViolations: number;
  violations: Array<{ pdb: string; currentHealthy: number; desiredHealthy: number }>;
  evictionsAccepted: number;
  evictionsRefused: number;
  cordonedNodes: string[];
}

describe("a reboot without drain", () => {
  it("kills the workload pods (graceful node shutdown), counts them and the budget it breaks; controllers replace them", async () => {
    const { cluster, k, workers, c } = await setup(0);
    const [w1, w2, w3] = workers as [
      Cluster["nodes"][number],
      Cluster["nodes"][number],
      Cluster["nodes"][number],
    ];
    // a client (kubectl, Minos) cordons w1 itself: Talos must leave that cordon alone
    await k.core.patchNode(
      { name: w1.nodeName, body: { spec: { unschedulable: true } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const rebooted = [w1.nodeName, w2.nodeName];
    const before = (await k.core.listPodForAllNamespaces()).items.filter((p) =>
      rebooted.includes(p.spec?.nodeName ?? ""),
    );
    const victims = before.filter(workload);
    const names = victims.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
    expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^shop\/tills-/)]));
    await Promise.all([reboot(c, w1.address), reboot(c, w2.address)]);
    for (const w of [w1, w2])
      await until(`${w.hostname} back`, async () => {
        const d = await detail(w.hostname);
        return d.bootCount === 1 && d.stage === "RUNNING" && d.ready;
      });
    const s = (await t.control("GET", `/kube/${cluster.name}`)).json as KubeSummary;
    // every workload pod of both nodes, plus any replacement the first shutdown put on the second node
    expect(s.killedPods.map((x) => x.pod)).toEqual(expect.arrayContaining(names));
    expect(s.podsKilledByReboot).toBe(s.killedPods.length);
    expect(s.killedPods.every((x) => rebooted.includes(x.node))).toBe(true);
    expect(s.pdbViolations).toBe(1);
    expect(s.violations[0]).toMatchObject({ pdb: "shop/tills-pdb", currentHealthy: 1, desiredHealthy: 2 });
    // the killed pods stay as the kubelet left them: Failed, Terminated by the node shutdown
    for (const v of victims) {
      const p = await k.core
        .readNamespacedPod({ namespace: v.metadata?.namespace ?? "", name: v.metadata?.name ?? "" })
        .catch(() => undefined);
      if (p?.metadata?.uid !== v.metadata?.uid) continue; // a StatefulSet replaced it under the same name
      expect([p?.status?.phase, p?.status?.reason]).toEqual(["Failed", "Terminated"]);
      expect(p?.status?.conditions?.find((x) => x.type === "DisruptionTarget")?.reason).toBe(
        "TerminationByKubelet",
      );
    }
    // controllers replaced theirs on the node that stayed up; DaemonSet pods run again on the rebooted nodes
    const tills = await until("three Ready tills pods", async () => {
      const pods = (
        await k.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=tills" })
      ).items.filter(isReady);
      return pods.length === 3 ? pods : undefined;
    });
    expect(tills.filter((p) => p.spec?.nodeName === w3.nodeName).length).toBeGreaterThanOrEqual(2);
    for (const w of rebooted) {
      await until(`DaemonSet pods Ready on ${w}`, async () => {
        const pods = (
          await k.core.listPodForAllNamespaces({
            fieldSelector: `spec.nodeName=${w}`,
            labelSelector: "tier=node",
          })
        ).items;
        return pods.filter(isReady).length === 2;
      });
    }
    const n1 = await k.core.readNode({ name: w1.nodeName });
    expect(n1.spec?.unschedulable).toBe(true);
    expect(n1.metadata?.annotations?.["talos.dev/cordoned"]).toBeUndefined();
    expect((await k.core.readNode({ name: w2.nodeName })).spec?.unschedulable).toBeFalsy();
  });
});

describe("the legacy upgrade sequence", () => {
  it("cordons with talos.dev/cordoned, evicts what a drain evicts, and uncordons after boot", async () => {
    const { cluster, k, workers, c } = await setup(1);
    const w = workers[0] as Cluster["nodes"][number];
    const onNode = (await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${w.nodeName}` }))
      .items;
    const evictable = onNode.filter(workload).filter((p) => p.metadata?.ownerReferences?.length);
    expect(evictable.length).toBeGreaterThan(0);
    const list = await k.core.listNode();
    const seen: V1Node[] = [];
    const watch = await new Watch(k.kc).watch(
      "/api/v1/nodes",
      { resourceVersion: list.metadata?.resourceVersion, fieldSelector: `metadata.name=${w.nodeName}` },
      (_type, obj: V1Node) => seen.push(obj),
      () => {},
    );
    const r = await unary(
      c.machine.upgrade,
      c.machine,
      {
        image: "ghcr.io/siderolabs/installer:v1.13.9",
        preserve: false,
        stage: false,
        force: false,
        rebootMode: 0,
      },
      md({ node: w.address }),
    );
    expect(r.err).toBeNull();
    await until(
      "the upgraded node back",
      async () => {
        const d = await detail(w.hostname);
        return d.bootCount === 1 && d.stage === "RUNNING" && d.ready;
      },
      20_000,
    );
    const cordoned = seen.find((n) => n.spec?.unschedulable);
    expect(cordoned?.metadata?.annotations?.["talos.dev/cordoned"]).toBe("true");
    await until(
      "uncordoned",
      () =>
        seen.at(-1)?.spec?.unschedulable !== true &&
        seen.at(-1)?.metadata?.annotations?.["talos.dev/cordoned"] === undefined,
    );
    watch.abort();
    const s = (await t.control("GET", `/kube/${cluster.name}`)).json as KubeSummary;
    expect(s.evictionsAccepted).toBe(evictable.length);
    expect(s.killedPods.filter((x) => evictable.some((p) => x.pod.endsWith(`/${p.metadata?.name}`)))).toEqual(
      [],
    );
    const now = (await k.core.listPodForAllNamespaces()).items;
    for (const p of evictable) {
      const owner = p.metadata?.ownerReferences?.[0];
      const replacement = now.find(
        (x) => x.metadata?.ownerReferences?.[0]?.uid === owner?.uid && x.metadata?.uid !== p.metadata?.uid,
      );
      expect(replacement, `a replacement for ${p.metadata?.name}`).toBeDefined();
    }
  });
});

describe("faults", () => {
  it("pdb-block: a vault pod on the node whose budget refuses every eviction, until the fault is cleared", async () => {
    const { k, workers } = await setup(2);
    const w = workers[0] as Cluster["nodes"][number];
    expect((await t.control("POST", `/nodes/${w.hostname}/faults`, { kind: "pdb-block" })).status).toBe(200);
    const vault = await until("vault-0 ready", async () => {
      const p = await k.core
        .readNamespacedPod({ namespace: "vault", name: "vault-0" })
        .catch(() => undefined);
      return p && isReady(p) ? p : undefined;
    });
    expect(vault.spec?.nodeName).toBe(w.nodeName);
    expect(vault.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "StatefulSet", name: "vault" });
    const evict = () =>
      k.core
        .createNamespacedPodEviction({
          namespace: "vault",
          name: "vault-0",
          body: {
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name: "vault-0", namespace: "vault" },
          },
        })
        .catch((e: unknown) => e);
    for (let i = 0; i < 3; i++) {
      const e = statusBody(await evict());
      expect(e.code).toBe(429);
      expect(e.details?.causes?.[0]?.message).toBe(
        "The disruption budget vault-pdb needs 1 healthy pods and has 1 currently",
      );
      await new Promise((r) => setTimeout(r, 300)); // 30 simulated seconds between attempts
    }
    await t.control("DELETE", `/nodes/${w.hostname}/faults/pdb-block`);
    const gone = await k.apps
      .readNamespacedStatefulSet({ namespace: "vault", name: "vault" })
      .catch((e: unknown) => e);
    expect(statusBody(gone).code).toBe(404);
    await until(
      "vault-0 gone",
      async () =>
        (await k.core.readNamespacedPod({ namespace: "vault", name: "vault-0" }).catch(() => null)) === null,
    );
  });

  it("kube-never-ready: after its next boot Talos runs but the Node never turns Ready, until cleared", async () => {
    const { k, workers, c } = await setup(3);
    const w = workers[0] as Cluster["nodes"][number];
    await t.control("POST", `/nodes/${w.hostname}/faults`, { kind: "kube-never-ready" });
    expect((await detail(w.hostname)).ready).toBe(true); // not before the next boot
    await reboot(c, w.address);
    await until("Talos RUNNING again", async () => {
      const d = await detail(w.hostname);
      return d.bootCount === 1 && d.stage === "RUNNING";
    });
    await new Promise((r) => setTimeout(r, 600)); // 60 simulated seconds
    const n = await k.core.readNode({ name: w.nodeName });
    const ready = n.status?.conditions?.find((x) => x.type === "Ready");
    expect([ready?.status, ready?.reason]).toEqual(["False", "KubeletNotReady"]);
    expect(n.spec?.taints?.map((x) => `${x.key}:${x.effect}`)).toContain(
      "node.kubernetes.io/not-ready:NoSchedule",
    );
    const d = await detail(w.hostname);
    expect(d.ready).toBe(false);
    expect(d.unmetConditions).toContainEqual({
      name: "nodeReady",
      reason: `node "${w.hostname}" is not ready`,
    });
    await t.control("DELETE", `/nodes/${w.hostname}/faults/kube-never-ready`);
    await until("Ready after the fault is cleared", async () => {
      const x = await k.core.readNode({ name: w.nodeName });
      return x.status?.conditions?.find((y) => y.type === "Ready")?.status === "True";
    });
  });

  it("crash-loop: after its next boot the node's containers crash and back off (CrashLoopBackOff), until cleared", async () => {
    const { k, workers, c } = await setup(3);
    const w = workers[1] as Cluster["nodes"][number];
    await t.control("POST", `/nodes/${w.hostname}/faults`, { kind: "crash-loop" });
    await reboot(c, w.address);
    const onNode = async () =>
      (await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${w.nodeName}` })).items;
    const crashing = await until("a DaemonSet pod in CrashLoopBackOff", async () =>
      (await onNode()).find(
        (p) =>
          p.metadata?.ownerReferences?.[0]?.kind === "DaemonSet" &&
          p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff",
      ),
    );
    const st = crashing.status?.containerStatuses?.[0];
    // As the kubelet reports it: Running phase, not ready, the last run ended in an error, a back-off message.
    expect(crashing.status?.phase).toBe("Running");
    expect(st?.ready).toBe(false);
    expect(st?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(st?.state?.waiting?.message).toBe(
      `back-off 10s restarting failed container=${st?.name} pod=${crashing.metadata?.name}_${crashing.metadata?.namespace}(${crashing.metadata?.uid})`,
    );
    expect(isReady(crashing)).toBe(false);
    // The kubelet tries again after each back-off (doubling): the restart count grows.
    const restarts = st?.restartCount ?? 0;
    await until("restarted after its back-off", async () => {
      const again = (await onNode()).find((p) => p.metadata?.uid === crashing.metadata?.uid);
      return (again?.status?.containerStatuses?.[0]?.restartCount ?? 0) > restarts;
    });
    await t.control("DELETE", `/nodes/${w.hostname}/faults/crash-loop`);
    await until("running and Ready once the fault is cleared", async () => {
      const again = (await onNode()).find((p) => p.metadata?.uid === crashing.metadata?.uid);
      return again !== undefined && isReady(again);
    });
  });

  it("a node gone at once (FORCE, never back) turns Unknown after the grace period; its pods are evicted after 300 s", async () => {
    const { k, workers, c } = await setup(2);
    const w = workers[1] as Cluster["nodes"][number];
    const tills = (
      await k.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=tills" })
    ).items.find((p) => p.spec?.nodeName === w.nodeName) as V1Pod;
    await t.control("POST", `/nodes/${w.hostname}/faults`, { kind: "never-back" });
    const started = Date.now();
    await reboot(c, w.address, 2);
    const n = await until("the Node Unknown", async () => {
      const x = await k.core.readNode({ name: w.nodeName });
      return x.status?.conditions?.find((y) => y.type === "Ready")?.status === "Unknown" ? x : undefined;
    });
    // node-monitor-grace-period: 50 s (Kubernetes ≥ 1.32), 0.5 s at this time scale, counted from the kubelet's stop
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const ready = n.status?.conditions?.find((y) => y.type === "Ready");
    expect([ready?.reason, ready?.message]).toEqual([
      "NodeStatusUnknown",
      "Kubelet stopped posting node status.",
    ]);
    expect(n.spec?.taints?.map((x) => `${x.key}:${x.effect}`)).toEqual(
      expect.arrayContaining([
        "node.kubernetes.io/unreachable:NoSchedule",
        "node.kubernetes.io/unreachable:NoExecute",
      ]),
    );
    const replacement = await until(
      "a replacement of the tills pod elsewhere",
      async () =>
        (await k.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=tills" })).items.find(
          (p) =>
            p.metadata?.uid !== tills.metadata?.uid &&
            p.spec?.nodeName !== w.nodeName &&
            isReady(p) &&
            p.metadata?.creationTimestamp &&
            Date.parse(String(p.metadata.creationTimestamp)) >= started - 1000,
        ),
      15_000,
    );
    expect(replacement.spec?.nodeName).not.toBe(w.nodeName);
    const old = await k.core.readNamespacedPod({ namespace: "shop", name: tills.metadata?.name ?? "" });
    expect(old.metadata?.deletionTimestamp).toBeDefined(); // Terminating until its kubelet confirms
  });
});
