// How long a wave takes: the median measured time of a machine's upgrade, times the rounds the
// safety caps allow — machines ÷ the parallelism the caps leave, but never fewer rounds than the
// longest chain a single cluster or site must go through. Pure; the measured median comes from the
// records of past rollouts (wave-briefing.ts).
import type { SafetySettings } from "../../model/rollout-safety";

/** A machine's upgrade when Minos has measured none yet (pull, install, reboot, ready). */
export const DEFAULT_MACHINE_MINUTES = 10;

export interface EstimateMachine {
  site: string;
  cluster: string;
  role: "controlplane" | "worker";
}

export interface WaveEstimate {
  machines: number;
  /** Per machine: the measured median, or the default when nothing was measured. */
  perMachineMs: number;
  /** How many finished upgrades the median is from; 0 means the default was used. */
  measured: number;
  /** Machines upgrading at once on average: machines ÷ rounds. */
  parallelism: number;
  rounds: number;
  /** What bounds the rounds, in words, and the cluster or site it is about (if one). */
  limitedBy: { text: string; cluster?: string; site?: string };
  /** The upgrades alone, and with the bake that follows the wave. */
  upgradeMs: number;
  bakeMs: number;
  totalMs: number;
}

type Caps = Pick<
  SafetySettings,
  "workersPerCluster" | "siteConcurrency" | "fleetConcurrency" | "bakeMinutes"
>;

interface Group {
  controlPlanes: number;
  workers: number;
}

export function estimateWave(opts: {
  machines: readonly EstimateMachine[];
  safety: Caps;
  median: { ms: number; count: number } | null;
}): WaveEstimate {
  const { machines, safety } = opts;
  const perMachineMs =
    opts.median && opts.median.count > 0 ? opts.median.ms : DEFAULT_MACHINE_MINUTES * 60_000;
  const clusters = new Map<string, Group & { site: string }>();
  for (const m of machines) {
    const c = clusters.get(m.cluster) ?? { site: m.site, controlPlanes: 0, workers: 0 };
    if (m.role === "controlplane") c.controlPlanes++;
    else c.workers++;
    clusters.set(m.cluster, c);
  }

  // Each bound: the rounds it forces, and why. The largest wins.
  let rounds = 0;
  let limitedBy: WaveEstimate["limitedBy"] = { text: "nothing to upgrade" };
  const bound = (r: number, why: WaveEstimate["limitedBy"]) => {
    if (r > rounds) {
      rounds = r;
      limitedBy = why;
    }
  };
  const sites = new Map<string, { machines: number; capacity: number }>();
  for (const [name, c] of clusters) {
    // Control planes go one at a time; workers `workersPerCluster` at a time, beside them.
    const chain = Math.max(c.controlPlanes, Math.ceil(c.workers / safety.workersPerCluster));
    bound(chain, {
      cluster: name,
      text:
        c.controlPlanes >= Math.ceil(c.workers / safety.workersPerCluster)
          ? `cluster ${name}: ${plural(c.controlPlanes, "control plane")}, one at a time`
          : `cluster ${name}: ${plural(c.workers, "worker")}, ${safety.workersPerCluster} at a time`,
    });
    const s = sites.get(c.site) ?? { machines: 0, capacity: 0 };
    s.machines += c.controlPlanes + c.workers;
    s.capacity += Math.min(1, c.controlPlanes) + Math.min(safety.workersPerCluster, c.workers);
    sites.set(c.site, s);
  }
  let fleetCapacity = 0;
  for (const [site, s] of sites) {
    const capacity = Math.min(safety.siteConcurrency, s.capacity);
    fleetCapacity += capacity;
    bound(Math.ceil(s.machines / capacity), {
      site,
      text: `site ${site || "(no site)"}: ${plural(s.machines, "machine")}, at most ${capacity} at a time`,
    });
  }
  const capacity = Math.min(safety.fleetConcurrency, fleetCapacity);
  if (capacity > 0)
    bound(Math.ceil(machines.length / capacity), {
      text: `${plural(machines.length, "machine")}, at most ${capacity} at a time fleet-wide`,
    });

  const upgradeMs = rounds * perMachineMs;
  const bakeMs = machines.length > 0 ? safety.bakeMinutes * 60_000 : 0;
  return {
    machines: machines.length,
    perMachineMs,
    measured: opts.median?.count ?? 0,
    parallelism: rounds > 0 ? machines.length / rounds : 0,
    rounds,
    limitedBy,
    upgradeMs,
    bakeMs,
    totalMs: upgradeMs + bakeMs,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The median of durations (ms); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
