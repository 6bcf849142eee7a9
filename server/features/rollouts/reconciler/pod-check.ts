// The rollout's optional pod check. Before a wave touches its first machine, the pods in trouble in its
// clusters (Pending, or a container in CrashLoopBackOff) are noted; after the bake, a pod in trouble that
// was not so before holds the rollout (paused, the pods named) until a person resumes it — accepting what
// was found — or aborts it. A cluster whose pods cannot be read counts as a finding: silence is not health.
import { type TroubledPod, troubledPods } from "../../../kubernetes";
import type { KubeClients } from "../../kubernetes/kube-clients";

/** Per cluster: the troubled pods before the wave ("ns/name CrashLoopBackOff"), or null if unreadable. */
export type PodBaseline = Record<string, string[] | null>;

export interface PodCheckResult {
  found: Array<TroubledPod & { cluster: string }>;
  unreadable: Array<{ cluster: string; error: string }>;
}

const keyOf = (p: TroubledPod) => `${p.pod} ${p.reason}`;
const AT_ONCE = 4;

async function eachCluster<T>(clusters: readonly string[], read: (cluster: string) => Promise<T>) {
  const out = new Map<string, T>();
  const queue = [...new Set(clusters)];
  await Promise.all(
    Array.from({ length: Math.min(AT_ONCE, queue.length) }, async () => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) out.set(c, await read(c));
    }),
  );
  return out;
}

async function troubleIn(
  kube: KubeClients,
  cluster: string,
  signal?: AbortSignal,
): Promise<TroubledPod[] | { error: string }> {
  try {
    return await kube.withReader(cluster, async (client) => troubledPods(await client.listPods({ signal })));
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** The troubled pods of each cluster now (null where the Kubernetes API could not be read). */
export async function readPodBaseline(
  kube: KubeClients,
  clusters: readonly string[],
  signal?: AbortSignal,
): Promise<PodBaseline> {
  const read = await eachCluster(clusters, (c) => troubleIn(kube, c, signal));
  const baseline: PodBaseline = {};
  for (const [c, r] of read) baseline[c] = Array.isArray(r) ? r.map(keyOf).sort() : null;
  return baseline;
}

/** Pods in trouble now that were not in the baseline (all of a cluster's when its baseline is unknown). */
export async function checkPods(
  kube: KubeClients,
  baseline: PodBaseline,
  clusters: readonly string[],
  signal?: AbortSignal,
): Promise<PodCheckResult> {
  const read = await eachCluster(clusters, (c) => troubleIn(kube, c, signal));
  const result: PodCheckResult = { found: [], unreadable: [] };
  for (const [cluster, r] of read) {
    if (!Array.isArray(r)) {
      result.unreadable.push({ cluster, error: r.error });
      continue;
    }
    const before = new Set(baseline[cluster] ?? []);
    for (const p of r) if (!before.has(keyOf(p))) result.found.push({ ...p, cluster });
  }
  result.found.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.pod.localeCompare(b.pod));
  return result;
}

export function passed(r: PodCheckResult): boolean {
  return r.found.length === 0 && r.unreadable.length === 0;
}

/**
 * The rollout's status reason when the check holds it: "Wave 1: after the bake, 2 pods newly in trouble:
 * shop/tills-5d9 in CrashLoopBackOff on node w-1 of dev-ams-1, …. Look at them; resume to accept them
 * and go on, or abort."
 */
export function describeHold(wave: string, r: PodCheckResult, show = 5): string {
  const parts: string[] = [];
  if (r.found.length) {
    const n = r.found.length;
    const named = r.found
      .slice(0, show)
      .map((p) =>
        p.node
          ? `${p.pod} ${p.reason === "Pending" ? "Pending" : "in CrashLoopBackOff"} on node ${p.node} of ${p.cluster}`
          : `${p.pod} Pending, not scheduled, in ${p.cluster}`,
      );
    if (n > show) named.push(`and ${n - show} more`);
    parts.push(`${n} ${n === 1 ? "pod" : "pods"} newly in trouble: ${named.join(", ")}`);
  }
  for (const u of r.unreadable) parts.push(`the pods of ${u.cluster} could not be read (${u.error})`);
  return `${wave}: after the bake, ${parts.join("; ")}. Look at them; resume to accept them and go on, or abort.`;
}
