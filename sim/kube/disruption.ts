// The disruption controller's arithmetic (kubernetes pkg/controller/disruption/disruption.go): expected pods,
// desired and current healthy, disruptions allowed; and the DisruptionAllowed condition (component-helpers).
import { controllerOf, type KubeObject, podReady } from "./objects";
import { labelSelectorMatches } from "./selectors";

/** DeletionTimeout of disruption.go: how long an approved eviction keeps a pod out of currentHealthy. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export interface PdbCounts {
  expectedPods: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

/** Pods a PDB selects: same namespace, a non-empty selector that matches (an empty one selects nothing). */
export function pdbPods(pdb: KubeObject, pods: KubeObject[]): KubeObject[] {
  return pods.filter(
    (p) =>
      p.metadata.namespace === pdb.metadata.namespace &&
      labelSelectorMatches(pdb.spec?.selector, p.metadata.labels),
  );
}

/** `intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true)`. */
function scaled(v: number | string, total: number): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * `getExpectedPodCount` and `countHealthyPods`: minAvailable as a number counts the selected pods;
 * maxUnavailable and percentages use the scale of the pods' controllers. `scaleOf` gives a controller's
 * replicas (Deployment through its ReplicaSet, StatefulSet, ReplicaSet).
 */
export function pdbCounts(
  pdb: KubeObject,
  pods: KubeObject[],
  scaleOf: (pod: KubeObject) => { uid: string; scale: number } | undefined,
  disruptedMs: ReadonlyMap<string, number>,
  nowMs: number,
  deletionTimeoutMs: number = DELETION_TIMEOUT_MS,
): PdbCounts {
  const selected = pdbPods(pdb, pods);
  const expectedScale = () => {
    const scales = new Map<string, number>();
    for (const p of selected) {
      if (!controllerOf(p)) continue;
      const s = scaleOf(p);
      if (s) scales.set(s.uid, s.scale);
    }
    let n = 0;
    for (const v of scales.values()) n += v;
    return n;
  };
  let expectedPods = 0;
  let desiredHealthy = 0;
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    expectedPods = expectedScale();
    desiredHealthy = Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods));
  } else if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === "number") {
      desiredHealthy = spec.minAvailable;
      expectedPods = selected.length;
    } else {
      expectedPods = expectedScale();
      desiredHealthy = scaled(spec.minAvailable, expectedPods);
    }
  }
  let currentHealthy = 0;
  for (const p of selected) {
    if (p.metadata.deletionTimestamp) continue;
    const at = disruptedMs.get(p.metadata.name);
    if (at !== undefined && at + deletionTimeoutMs > nowMs) continue;
    if (podReady(p)) currentHealthy++;
  }
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  return { expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed };
}

/** `buildDisruptedPodMap`: keeps entries of selected pods not being deleted and within DeletionTimeout. */
export function liveDisruptedPods(
  disruptedMs: Map<string, number>,
  selected: KubeObject[],
  nowMs: number,
  deletionTimeoutMs: number = DELETION_TIMEOUT_MS,
): void {
  const keep = new Set<string>();
  for (const p of selected) {
    if (p.metadata.deletionTimestamp) continue;
    const at = disruptedMs.get(p.metadata.name);
    if (at !== undefined && at + deletionTimeoutMs > nowMs) keep.add(p.metadata.name);
  }
  for (const name of [...disruptedMs.keys()]) if (!keep.has(name)) disruptedMs.delete(name);
}
