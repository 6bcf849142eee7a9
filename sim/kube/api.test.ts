// The simulated Kubernetes API as official clients see it: the kubeconfig from Talos's Kubeconfig RPC,
// @kubernetes/client-node over real HTTPS, lists with selectors, node patches, errors, watches, eviction.

import { X509Certificate } from "node:crypto";
import { request } from "node:https";
import { status } from "@grpc/grpc-js";
import {
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  type V1Pod,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Clients, startTestSim, type TestSim } from "../test-helpers";
import { kubeClients, statusBody, talosKubeconfig, until } from "./test-kube";

let t: TestSim;
let c: Clients;
let cluster: TestSim["sim"]["clusters"][number];
let kubeconfig: string;
let k: ReturnType<typeof kubeClients>;
let workers: string[];

beforeAll(async () => {
  t = await startTestSim({ clusters: 1, nodesPerCluster: 5, seed: "kube-api", timeScale: 10, healthy: true });
  cluster = t.sim.clusters[0] as typeof cluster;
  c = t.clients(cluster.endpoint);
  const r = await talosKubeconfig(c);
  if (r.err) throw r.err;
  kubeconfig = r.entries[0]?.content ?? "";
  k = kubeClients(kubeconfig);
  workers = cluster.nodes.filter((n) => n.role === "worker").map((n) => n.nodeName);
});
afterAll(() => t.close());

describe("Kubeconfig through Talos", () => {
  it("is one message: a tar.gz with a single 0600 file kubeconfig for admin@<cluster>", async () => {
    const r = await talosKubeconfig(c);
    expect(r.err).toBeNull();
    expect(r.messages).toBe(1);
    expect(r.entries.map((e) => [e.name, e.mode.toString(8), e.type])).toEqual([["kubeconfig", "600", "0"]]);
    const doc = parse(r.entries[0]?.content ?? "");
    const name = cluster.name;
    expect(doc["current-context"]).toBe(`admin@${name}`);
    expect(doc.contexts[0]).toEqual({
      name: `admin@${name}`,
      context: { cluster: name, namespace: "default", user: `admin@${name}` },
    });
    expect(doc.clusters[0].cluster.server).toBe(cluster.kubeEndpoint);
    expect(Buffer.from(doc.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toBe(
      await cluster.kubeCa(),
    );
    const cert = new X509Certificate(Buffer.from(doc.users[0].user["client-certificate-data"], "base64"));
    expect(cert.subject).toContain("O=system:masters");
    expect(cert.subject).toContain("CN=admin");
    const lifetimeDays = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(lifetimeDays)).toBe(365);
    expect(cert.checkIssued(new X509Certificate(await cluster.kubeCa()))).toBe(true);
    expect(Buffer.from(doc.users[0].user["client-key-data"], "base64").toString()).toContain(
      "BEGIN EC PRIVATE KEY",
    );
  });

  it("is refused on a worker (Unimplemented) and to a non-admin (PermissionDenied)", async () => {
    const worker = cluster.nodes.find((n) => n.role === "worker")?.address ?? "";
    const w = await talosKubeconfig(c, worker);
    expect(w.err?.code).toBe(status.UNIMPLEMENTED);
    expect(w.err?.details).toBe("kubeconfig is only available on control plane nodes");
    const reader = t.clients(cluster.endpoint, await t.credsFor({ role: "os:operator" }));
    const r = await talosKubeconfig(reader);
    expect(r.err?.code).toBe(status.PERMISSION_DENIED);
    expect(r.err?.details).toBe("not authorized");
  });
});

describe("reading", () => {
  it("lists one Node per machine, named by its Nodename, with Talos's labels, taints and kubelet status", async () => {
    const nodes = (await k.core.listNode()).items;
    expect(nodes.map((n) => n.metadata?.name).sort()).toEqual(
      cluster.nodes.map((n) => n.hostname.toLowerCase()).sort(),
    );
    for (const spec of cluster.nodes) {
      const n = nodes.find((x) => x.metadata?.name === spec.nodeName) as V1Node;
      expect(n.metadata?.labels?.["kubernetes.io/hostname"]).toBe(spec.nodeName);
      expect(n.metadata?.labels?.["kubernetes.io/os"]).toBe("linux");
      const cp = spec.role === "controlplane";
      expect(n.metadata?.labels?.["node-role.kubernetes.io/control-plane"]).toBe(cp ? "" : undefined);
      expect(
        n.spec?.taints?.some(
          (x) => x.key === "node-role.kubernetes.io/control-plane" && x.effect === "NoSchedule",
        ) ?? false,
      ).toBe(cp);
      const ready = n.status?.conditions?.find((x) => x.type === "Ready");
      expect([ready?.status, ready?.reason, ready?.message]).toEqual([
        "True",
        "KubeletReady",
        "kubelet is posting ready status",
      ]);
      expect(n.status?.conditions?.map((x) => `${x.type}=${x.status}`)).toEqual([
        "MemoryPressure=False",
        "DiskPressure=False",
        "PIDPressure=False",
        "Ready=True",
      ]);
      expect(n.status?.nodeInfo?.osImage).toBe(`Talos (${spec.talosVersion})`);
      expect(n.status?.addresses).toEqual([
        { type: "InternalIP", address: spec.address },
        { type: "Hostname", address: spec.hostname },
      ]);
      expect(n.metadata?.resourceVersion).toMatch(/^\d+$/);
      expect(n.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    }
    const version = await (await fetchRaw("/version")).json();
    expect(version.gitVersion).toBe(nodes[0]?.status?.nodeInfo?.kubeletVersion);
  });

  it("lists pods across namespaces and per namespace, by node and by label", async () => {
    const worker = workers[0] ?? "";
    const onWorker = (await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${worker}` }))
      .items;
    expect(onWorker.length).toBeGreaterThan(2);
    expect(onWorker.every((p) => p.spec?.nodeName === worker)).toBe(true);
    expect(onWorker.map((p) => p.metadata?.name).some((n) => n?.startsWith("kube-proxy-"))).toBe(true);
    const proxies = (
      await k.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-proxy" })
    ).items;
    expect(proxies).toHaveLength(cluster.nodes.length);
    expect(proxies[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "DaemonSet",
      name: "kube-proxy",
      controller: true,
    });
    const mirror = (
      await k.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "tier=control-plane" })
    ).items;
    expect(mirror).toHaveLength(9);
    expect(
      mirror.every(
        (p) =>
          p.metadata?.annotations?.["kubernetes.io/config.mirror"] &&
          p.metadata.ownerReferences?.[0]?.kind === "Node",
      ),
    ).toBe(true);
    const tills = (await k.core.listNamespacedPod({ namespace: "shop", labelSelector: "app in (tills)" }))
      .items;
    expect(tills).toHaveLength(2);
    expect(tills.every((p) => workers.includes(p.spec?.nodeName ?? ""))).toBe(true);
    expect(tills[0]?.metadata?.ownerReferences?.[0]?.kind).toBe("ReplicaSet");
    const pdb = await k.policy.readNamespacedPodDisruptionBudget({ namespace: "shop", name: "tills-pdb" });
    expect(pdb.status).toMatchObject({
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      expectedPods: 2,
    });
  });

  it("answers errors as Status objects: 401 without a client certificate, 404, 405, 400 for a bad selector", async () => {
    const anon = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const u = new URL(`${cluster.kubeEndpoint}/api/v1/nodes`);
      request({ host: u.hostname, port: u.port, path: u.pathname, rejectUnauthorized: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
      })
        .on("error", reject)
        .end();
    });
    expect(anon.code).toBe(401);
    expect(JSON.parse(anon.body)).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    const nf = await k.core.readNamespacedPod({ namespace: "shop", name: "nope" }).catch((e: unknown) => e);
    expect(statusBody(nf)).toMatchObject({ code: 404, reason: "NotFound", message: 'pods "nope" not found' });
    const post = await fetchRaw("/api/v1/nodes", { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    const bad = await k.core
      .listPodForAllNamespaces({ fieldSelector: "spec.color=red" })
      .catch((e: unknown) => e);
    expect(statusBody(bad)).toMatchObject({
      code: 400,
      reason: "BadRequest",
      message: "field label not supported: spec.color",
    });
  });
});

/** A raw request with the kubeconfig's credentials (client-node's own fetch options). */
async function fetchRaw(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const opts = await k.kc.applyToFetchOptions({});
  const { default: fetch } = await import("node-fetch");
  return fetch(`${cluster.kubeEndpoint}${path}`, {
    ...opts,
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
  } as never);
}

describe("writing nodes", () => {
  it("cordons by strategic merge patch (the unschedulable taint follows) and uncordons by merge patch", async () => {
    const name = workers[1] ?? "";
    const patched = await k.core.patchNode(
      { name, body: { spec: { unschedulable: true } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.unschedulable).toBe(true);
    const tainted = await until("the unschedulable taint", async () => {
      const n = await k.core.readNode({ name });
      return n.spec?.taints?.find((x) => x.key === "node.kubernetes.io/unschedulable") ? n : undefined;
    });
    expect(tainted.spec?.taints?.find((x) => x.key === "node.kubernetes.io/unschedulable")?.effect).toBe(
      "NoSchedule",
    );
    await k.core.patchNode(
      { name, body: { spec: { unschedulable: null } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await until("the taint gone", async () => {
      const n = await k.core.readNode({ name });
      return (
        !n.spec?.unschedulable && !n.spec?.taints?.some((x) => x.key === "node.kubernetes.io/unschedulable")
      );
    });
  });

  it("applies JSON patches (a failing test op is 422) and refuses a stale resourceVersion with 409", async () => {
    const name = workers[1] ?? "";
    const labelled = await k.core.patchNode(
      { name, body: [{ op: "add", path: "/metadata/labels/shop.example~1tier", value: "gold" }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect(labelled.metadata?.labels?.["shop.example/tier"]).toBe("gold");
    const failed = await k.core
      .patchNode(
        { name, body: [{ op: "test", path: "/spec/unschedulable", value: true }] },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      )
      .catch((e: unknown) => e);
    expect(statusBody(failed).code).toBe(422);
    const stale = { ...labelled, metadata: { ...labelled.metadata, resourceVersion: "1" } };
    const conflict = await k.core.replaceNode({ name, body: stale }).catch((e: unknown) => e);
    expect(statusBody(conflict)).toMatchObject({ code: 409, reason: "Conflict" });
    const fresh = await k.core.readNode({ name });
    const replaced = await k.core.replaceNode({
      name,
      body: { ...fresh, spec: { ...fresh.spec, unschedulable: false } },
    });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(
      Number(fresh.metadata?.resourceVersion),
    );
  });
});

describe("watch", () => {
  it("delivers node changes after the list's resourceVersion, and 410 Expired for a compacted one", async () => {
    const name = workers[0] ?? "";
    const list = await k.core.listNode();
    const seen: Array<{ type: string; node: V1Node }> = [];
    const w = new Watch(k.kc);
    const ctl = await w.watch(
      "/api/v1/nodes",
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj) => seen.push({ type, node: obj }),
      () => {},
    );
    await k.core.patchNode(
      { name, body: { metadata: { labels: { watched: "yes" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const ev = await until("a MODIFIED event", () =>
      seen.find((e) => e.type === "MODIFIED" && e.node.metadata?.labels?.watched === "yes"),
    );
    expect(ev.node.metadata?.name).toBe(name);
    expect(Number(ev.node.metadata?.resourceVersion)).toBeGreaterThan(Number(list.metadata?.resourceVersion));
    ctl.abort();
    const expired: Array<{ type: string; obj: { code?: number; reason?: string } }> = [];
    const ctl2 = await w.watch(
      "/api/v1/nodes",
      { resourceVersion: "1" },
      (type, obj) => expired.push({ type, obj }),
      () => {},
    );
    const err = await until("an ERROR event", () => expired.find((e) => e.type === "ERROR"));
    expect(err.obj).toMatchObject({ code: 410, reason: "Expired" });
    ctl2.abort();
  });
});

describe("eviction", () => {
  it("respects the PDB (429 with the API server's message) and recreates the evicted pod on another node", async () => {
    const [from, to] = workers as [string, string];
    await k.core.patchNode(
      { name: from, body: { spec: { unschedulable: true } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const informer = makeInformer(k.kc, "/api/v1/namespaces/shop/pods", () =>
      k.core.listNamespacedPod({ namespace: "shop" }),
    );
    const added: string[] = [];
    const deleted: string[] = [];
    const terminating: string[] = [];
    informer.on("add", (p: V1Pod) => added.push(p.metadata?.name ?? ""));
    informer.on("update", (p: V1Pod) => {
      if (p.metadata?.deletionTimestamp) terminating.push(p.metadata.name ?? "");
    });
    informer.on("delete", (p: V1Pod) => deleted.push(p.metadata?.name ?? ""));
    await informer.start();
    const tills = (await k.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=tills" })).items;
    const victim = tills.find((p) => p.spec?.nodeName === from) as V1Pod;
    const other = tills.find((p) => p !== victim) as V1Pod;
    const evict = (p: V1Pod) =>
      k.core.createNamespacedPodEviction({
        namespace: "shop",
        name: p.metadata?.name ?? "",
        body: {
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name: p.metadata?.name, namespace: "shop" },
        },
      });
    await evict(victim);
    const refused = await evict(other).catch((e: unknown) => e);
    expect(statusBody(refused)).toMatchObject({
      code: 429,
      reason: "TooManyRequests",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: {
        causes: [
          {
            reason: "DisruptionBudget",
            message: "The disruption budget tills-pdb needs 1 healthy pods and has 1 currently",
          },
        ],
      },
    });
    const replacement = await until("a Ready replacement", async () => {
      const pods = (await k.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=tills" })).items;
      return pods.find(
        (p) =>
          p.metadata?.name !== victim.metadata?.name &&
          p.metadata?.name !== other.metadata?.name &&
          p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"),
      );
    });
    expect(replacement.spec?.nodeName).toBe(to);
    expect(replacement.metadata?.ownerReferences?.[0]?.name).toBe(
      victim.metadata?.ownerReferences?.[0]?.name,
    );
    await until("the victim gone", () => deleted.includes(victim.metadata?.name ?? ""));
    expect(terminating).toContain(victim.metadata?.name); // Terminating (deletionTimestamp) before it went
    expect(added).toContain(replacement.metadata?.name);
    const pdb = await until("the budget allowing one disruption again", async () => {
      const b = await k.policy.readNamespacedPodDisruptionBudget({ namespace: "shop", name: "tills-pdb" });
      return b.status?.disruptionsAllowed === 1 ? b : undefined;
    });
    expect(pdb.status?.currentHealthy).toBe(2);
    await informer.stop();
    const stats = (await t.control("GET", `/kube/${cluster.name}`)).json as {
      evictionsAccepted: number;
      evictionsRefused: number;
      cordonedNodes: string[];
    };
    expect(stats.evictionsAccepted).toBe(1);
    expect(stats.evictionsRefused).toBe(1);
    expect(stats.cordonedNodes).toEqual([from]);
  });
});
