// The rollout planner: which machines go in which wave, and which are left out and why. Pure: the
// caller loads machines and locks; the same input always gives the same plan.
import { z } from "zod";
import { AppError, userMessageOf } from "../../model/errors";
import type { SafetySettings } from "../../model/rollout-safety";
import { parseSelector, type Selector } from "../../model/selector";
import { type SelectableMachine, selectorMatches } from "../../model/selector-match";
import { siteMatches } from "../../model/window-schedule";
import { onTarget, upgradePathProblem } from "./upgrade-path";

export interface PlanMachine extends SelectableMachine {
  id: string;
  hostname: string;
  reachable: boolean;
}

export interface Locks {
  /** Machine id → reason. */
  machines: ReadonlyMap<string, string>;
  /** Cluster name → reason. */
  clusters: ReadonlyMap<string, string>;
}

export const canarySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("machines"), machineIds: z.array(z.string()).min(1).max(1_000) }),
  z.object({ kind: z.literal("per-site"), count: z.number().int().min(1).max(100) }),
  z.object({ kind: z.literal("per-cluster"), count: z.number().int().min(1).max(100) }),
]);

export const waveSpecSchema = z.discriminatedUnion("kind", [
  /** This share of the machines left after the canary (shares add up; any rest gets a last wave). */
  z.object({ kind: z.literal("percent"), percent: z.number().min(1).max(100) }),
  /** The remaining machines matching a selector. */
  z.object({ kind: z.literal("selector"), selector: z.string().trim().min(1).max(2_000) }),
]);

export const wavePlanSchema = z.object({
  canary: canarySchema.default({ kind: "none" }),
  waves: z.array(waveSpecSchema).max(50).default([]),
});
export type WavePlan = z.infer<typeof wavePlanSchema>;

/** Host names per wave a preview lists (the count says how many there are). */
export const WAVE_NAMES_SHOWN = 200;

export type ExclusionKind =
  | "locked"
  | "on-target"
  | "unsupported-path"
  | "unreachable"
  | "unhealthy"
  | "single-etcd";

export interface Exclusion {
  machineId: string;
  hostname: string;
  cluster: string;
  site: string;
  kind: ExclusionKind;
  reason: string;
}

export interface PlannedWave {
  index: number;
  name: string;
  machineIds: string[];
  /** The first machines' host names, in plan order (the preview lists them; at most WAVE_NAMES_SHOWN). */
  hostnames: string[];
  clusters: string[];
  sites: string[];
  controlPlanes: number;
  workers: number;
}

export interface Plan {
  targetVersion: string;
  waves: PlannedWave[];
  excluded: Exclusion[];
  inScope: number;
  planned: number;
  excludedByKind: Record<ExclusionKind, number>;
  /** Things the plan's author should know (a selector wave that matched nothing, …). */
  warnings: string[];
}

export interface PlanInput {
  machines: readonly PlanMachine[];
  targetVersion: string;
  wavePlan: WavePlan;
  safety: Pick<SafetySettings, "allowSingleControlPlane" | "windows">;
  locks?: Locks;
  /** Control planes per cluster when some are outside the scope; defaults to those in scope. */
  controlPlanesPerCluster?: ReadonlyMap<string, number>;
}

/** The health a machine must have to be planned: anything else is excluded as unhealthy. */
const PLANNABLE_HEALTH = new Set(["healthy", "degraded"]);

/** Version checks by (version, Kubernetes version): a fleet has few distinct pairs. */
type PathCheck = (version: string, kubernetes: string) => { onTarget: boolean; problem: string | null };

function pathChecker(target: string): PathCheck {
  const cache = new Map<string, { onTarget: boolean; problem: string | null }>();
  return (version, kubernetes) => {
    const key = `${version} ${kubernetes}`;
    let r = cache.get(key);
    if (!r) {
      r = onTarget(version, target)
        ? { onTarget: true, problem: null }
        : { onTarget: false, problem: upgradePathProblem(version, target, kubernetes) };
      cache.set(key, r);
    }
    return r;
  };
}

function exclusionOf(
  m: PlanMachine,
  input: PlanInput,
  singleCp: ReadonlySet<string>,
  check: PathCheck,
): Exclusion | null {
  const base = { machineId: m.id, hostname: m.hostname, cluster: m.cluster, site: m.site };
  const clusterLock = input.locks?.clusters.get(m.cluster);
  if (clusterLock !== undefined) return { ...base, kind: "locked", reason: `cluster locked: ${clusterLock}` };
  const machineLock = input.locks?.machines.get(m.id);
  if (machineLock !== undefined) return { ...base, kind: "locked", reason: `machine locked: ${machineLock}` };
  const path = check(m.version, m.kubernetes);
  if (path.onTarget) return { ...base, kind: "on-target", reason: `already runs ${m.version}` };
  const problem = path.problem;
  if (problem) return { ...base, kind: "unsupported-path", reason: problem };
  if (!m.reachable || m.health === "unreachable")
    return { ...base, kind: "unreachable", reason: "Minos cannot reach it now" };
  if (!PLANNABLE_HEALTH.has(m.health))
    return { ...base, kind: "unhealthy", reason: `its health is ${m.health}; fix it or leave it out` };
  if (m.role === "controlplane" && singleCp.has(m.cluster) && !input.safety.allowSingleControlPlane) {
    return {
      ...base,
      kind: "single-etcd",
      reason:
        "the only control plane of its cluster: etcd loses quorum while it upgrades (allow single control planes in the safety settings)",
    };
  }
  return null;
}

/** Order within waves: by site, cluster, control planes first, hostname — a cluster stays together. */
function compareMachines(a: PlanMachine, b: PlanMachine): number {
  if (a.site !== b.site) return a.site < b.site ? -1 : 1;
  if (a.cluster !== b.cluster) return a.cluster < b.cluster ? -1 : 1;
  if (a.role !== b.role) return a.role === "controlplane" ? -1 : 1;
  return a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.id < b.id ? -1 : 1;
}

/** Canary picks: workers before control planes (a canary should not risk etcd), then by hostname. */
function canaryOrder(a: PlanMachine, b: PlanMachine): number {
  if (a.role !== b.role) return a.role === "worker" ? -1 : 1;
  return a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0;
}

function pickPerGroup(
  machines: PlanMachine[],
  key: (m: PlanMachine) => string,
  count: number,
): PlanMachine[] {
  const groups = new Map<string, PlanMachine[]>();
  for (const m of machines) {
    const k = key(m);
    const g = groups.get(k);
    if (g) g.push(m);
    else groups.set(k, [m]);
  }
  const picked: PlanMachine[] = [];
  for (const g of groups.values()) picked.push(...g.sort(canaryOrder).slice(0, count));
  return picked;
}

function plannedWave(index: number, name: string, machines: PlanMachine[]): PlannedWave {
  const clusters = new Set<string>();
  const sites = new Set<string>();
  let controlPlanes = 0;
  for (const m of machines) {
    clusters.add(m.cluster);
    sites.add(m.site);
    if (m.role === "controlplane") controlPlanes++;
  }
  return {
    index,
    name,
    machineIds: machines.map((m) => m.id),
    hostnames: machines.slice(0, WAVE_NAMES_SHOWN).map((m) => m.hostname),
    clusters: [...clusters].sort(),
    sites: [...sites].sort(),
    controlPlanes,
    workers: machines.length - controlPlanes,
  };
}

/**
 * Plans a rollout. Percent waves take their share of the machines left after the canary (rounded up,
 * counted cumulatively so shares add up exactly); selector waves take the remaining machines they
 * match; whatever is left goes into a last wave. Throws a BAD_REQUEST AppError for a bad selector.
 */
export function planRollout(input: PlanInput): Plan {
  const cpCount = new Map<string, number>(input.controlPlanesPerCluster ?? []);
  if (!input.controlPlanesPerCluster) {
    for (const m of input.machines)
      if (m.role === "controlplane") cpCount.set(m.cluster, (cpCount.get(m.cluster) ?? 0) + 1);
  }
  const singleCp = new Set([...cpCount].filter(([, n]) => n === 1).map(([c]) => c));

  const excluded: Exclusion[] = [];
  const eligible: PlanMachine[] = [];
  const check = pathChecker(input.targetVersion);
  for (const m of input.machines) {
    const e = exclusionOf(m, input, singleCp, check);
    if (e) excluded.push(e);
    else eligible.push(m);
  }
  eligible.sort(compareMachines);

  const warnings: string[] = [];
  const waves: PlannedWave[] = [];
  const taken = new Set<string>();
  let remaining = eligible;
  const take = (name: string, ms: PlanMachine[]) => {
    if (ms.length === 0) return;
    for (const m of ms) taken.add(m.id);
    waves.push(plannedWave(waves.length, name, [...ms].sort(compareMachines)));
    remaining = remaining.filter((m) => !taken.has(m.id));
  };

  const canary = input.wavePlan.canary;
  if (canary.kind === "machines") {
    const wanted = new Set(canary.machineIds);
    const picked = eligible.filter((m) => wanted.has(m.id));
    const missing = canary.machineIds.length - picked.length;
    if (missing > 0) {
      warnings.push(
        `${missing} of the ${canary.machineIds.length} named canary machines cannot be upgraded (see the excluded list) or are not in scope.`,
      );
    }
    take("Canary", picked);
  } else if (canary.kind === "per-site") {
    take(
      "Canary",
      pickPerGroup(eligible, (m) => m.site, canary.count),
    );
  } else if (canary.kind === "per-cluster") {
    take(
      "Canary",
      pickPerGroup(eligible, (m) => m.cluster, canary.count),
    );
  }

  const afterCanary = remaining.length;
  let percentSoFar = 0;
  let takenByPercent = 0;
  for (const [i, spec] of input.wavePlan.waves.entries()) {
    const label = `Wave ${waves.length + (waves[0]?.name === "Canary" ? 0 : 1)}`;
    if (spec.kind === "percent") {
      percentSoFar = Math.min(100, percentSoFar + spec.percent);
      const upTo = Math.ceil((percentSoFar / 100) * afterCanary);
      const count = Math.max(0, upTo - takenByPercent);
      takenByPercent += count;
      const ms = remaining.slice(0, count);
      if (ms.length === 0 && afterCanary > 0)
        warnings.push(`Wave ${i + 1} (${spec.percent} %) gets no machines.`);
      take(`${label} (${spec.percent} %)`, ms);
    } else {
      let selector: Selector;
      try {
        selector = parseSelector(spec.selector);
      } catch (err) {
        throw new AppError("BAD_REQUEST", {
          userMessage: `Wave ${i + 1}: ${userMessageOf(err)}`,
          cause: err,
        });
      }
      const ms = remaining.filter((m) => selectorMatches(selector, m));
      if (ms.length === 0) warnings.push(`Wave ${i + 1} (${spec.selector}) matches no remaining machine.`);
      take(`${label} (${spec.selector})`, ms);
    }
  }
  if (remaining.length > 0) {
    if (input.wavePlan.waves.length > 0)
      warnings.push(`${remaining.length} machines no wave took go into a last wave.`);
    take(waves.length === 0 ? "All machines" : "Remaining machines", remaining);
  }

  const sitesWithout = new Set<string>();
  if (input.safety.windows.length > 0) {
    for (const w of waves)
      for (const s of w.sites)
        if (!input.safety.windows.some((win) => siteMatches(win.site, s))) sitesWithout.add(s);
    if (sitesWithout.size > 0) {
      const list = [...sitesWithout].sort();
      warnings.push(
        `No maintenance window covers ${list.length} site${list.length === 1 ? "" : "s"} (${list
          .slice(0, 5)
          .map((s) => s || "(no site)")
          .join(", ")}${list.length > 5 ? ", …" : ""}): they are upgraded at any time.`,
      );
    }
  }

  const excludedByKind: Record<ExclusionKind, number> = {
    locked: 0,
    "on-target": 0,
    "unsupported-path": 0,
    unreachable: 0,
    unhealthy: 0,
    "single-etcd": 0,
  };
  for (const e of excluded) excludedByKind[e.kind]++;
  excluded.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.hostname < b.hostname ? -1 : 1));
  return {
    targetVersion: input.targetVersion,
    waves,
    excluded,
    inScope: input.machines.length,
    planned: eligible.length,
    excludedByKind,
    warnings,
  };
}
