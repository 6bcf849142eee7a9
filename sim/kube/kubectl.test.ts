// kubectl 1.32 against a simulated cluster: discovery, get nodes/pdb, cordon, and a drain that evicts through
// the Eviction API (respecting the PDB), skips DaemonSet pods and leaves them running.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSim, type TestSim } from "../test-helpers";
import { kubeClients, talosKubeconfig } from "./test-kube";

const KUBECTL = process.env.KUBECTL ?? "kubectl";
const found = await new Promise<boolean>((resolve) =>
  execFile(KUBECTL, ["version", "--client"], (err) => resolve(!err)),
);
if (!found)
  console.warn(`kubectl is not on PATH: skipping the kubectl tests (set KUBECTL to its path to run them)`);

let t: TestSim;
let dir: string;
let cluster: TestSim["sim"]["clusters"][number];

beforeAll(async () => {
  if (!found) return;
  t = await startTestSim({ clusters: 1, nodesPerCluster: 6, seed: "kubectl", timeScale: 100, healthy: true });
  cluster = t.sim.clusters[0] as typeof cluster;
  dir = await mkdtemp(path.join(tmpdir(), "kubectl-"));
  const r = await talosKubeconfig(t.clients(cluster.endpoint));
  if (r.err) throw r.err;
  await writeFile(path.join(dir, "kubeconfig"), r.entries[0]?.content ?? "", { mode: 0o600 });
});
afterAll(async () => {
  if (!found) return;
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      ["--kubeconfig", path.join(dir, "kubeconfig"), "--cache-dir", path.join(dir, "cache"), ...args],
      { env: { ...process.env, HOME: dir }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

describe.skipIf(!found)("kubectl", () => {
  it("gets nodes with their status, roles and version, and the PDBs", async () => {
    const r = await kubectl("get", "nodes");
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    for (const n of cluster.nodes) {
      const line = lines.find((l) => l.startsWith(`${n.nodeName} `)) ?? "";
      expect(line).toMatch(
        new RegExp(
          `^${n.nodeName}\\s+Ready\\s+${n.role === "controlplane" ? "control-plane" : "<none>"}\\s+\\S+\\s+v1\\.\\d+\\.\\d+$`,
        ),
      );
    }
    const pdb = await kubectl("get", "pdb", "-A");
    expect(pdb.code, pdb.err).toBe(0);
    expect(pdb.out).toMatch(
      /^NAMESPACE\s+NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE/,
    );
    expect(pdb.out).toMatch(/\nshop\s+tills-pdb\s+2\s+N\/A\s+1\s+/);
  });

  it("cordons a worker, then drains it: workloads evicted and rescheduled, DaemonSet pods left", async () => {
    const worker = cluster.nodes.find((n) => n.role === "worker")?.nodeName ?? "";
    const cordon = await kubectl("cordon", worker);
    expect(cordon.code, cordon.err).toBe(0);
    expect(cordon.out.trim()).toBe(`node/${worker} cordoned`);
    const nodes = await kubectl("get", "node", worker);
    expect(nodes.out).toContain("Ready,SchedulingDisabled");
    const drain = await kubectl(
      "drain",
      worker,
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--force",
      "--timeout=60s",
    );
    expect(drain.code, `${drain.out}\n${drain.err}`).toBe(0);
    expect(drain.out).toContain(`node/${worker} drained`);
    expect(drain.err).toContain("ignoring DaemonSet-managed Pods");
    const k = kubeClients(await cluster.kubeconfig());
    const left = (await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${worker}` })).items;
    expect(left.map((p) => p.metadata?.ownerReferences?.[0]?.kind)).toEqual(["DaemonSet", "DaemonSet"]);
    expect(left.every((p) => p.status?.phase === "Running")).toBe(true);
    const tills = (await k.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=tills" })).items;
    expect(tills).toHaveLength(3);
    expect(tills.every((p) => p.spec?.nodeName && p.spec.nodeName !== worker)).toBe(true);
    const stats = (await t.control("GET", `/kube/${cluster.name}`)).json as { evictionsAccepted: number };
    expect(stats.evictionsAccepted).toBeGreaterThanOrEqual(3);
  });
});
