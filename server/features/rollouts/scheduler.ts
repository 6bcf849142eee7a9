// The scheduler core: given a rollout's current wave and what is in flight, what to start now, what
// timed out, and where the wave stands. Pure and deterministic (time comes in as `now`); the
// reconciler calls it on every pass and carries the actions out.
import { failureAllowance, type SafetySettings } from "../../model/rollout-safety";
import { windowState } from "../../model/window-schedule";

/** Where a machine of a rollout is. pulling/upgrading are in flight; done/failed/skipped are final. */
export type MachinePhase = "pending" | "pulling" | "pulled" | "upgrading" | "done" | "failed" | "skipped";
export const FINAL_PHASES: ReadonlySet<MachinePhase> = new Set(["done", "failed", "skipped"]);

export interface SchedulerMachine {
  id: string;
  hostname: string;
  cluster: string;
  site: string;
  role: "controlplane" | "worker";
  phase: MachinePhase;
  /** When its current in-flight phase began (ms): a pull and an upgrade each have the whole timeout. */
  inFlightSince?: number;
  /** The node can pull ahead of the upgrade (ImageService, Talos ≥ 1.13). */
  canPrePull: boolean;
  /** An upgrade still pulling its installer (the legacy Upgrade pulls before it answers). */
  upgradePulling?: boolean;
  /** The machine is one of its cluster's API endpoints (Minos reaches the cluster's machines through them). */
  apiEndpoint?: boolean;
}

export interface SchedulerCluster {
  name: string;
  etcdMembers: number;
  etcdHealthy: number;
  /** Healthy apart from this rollout's own machines in flight (reason when not). */
  ready: boolean;
  reason?: string;
  /** The cluster's API endpoints not upgrading now (undefined: none of them is a machine, so always up). */
  apiEndpointsUp?: number;
}

export interface SchedulerInput {
  now: number;
  status: "running" | "paused" | "aborting";
  safety: SafetySettings;
  wave: { index: number; approved: boolean; bakeStartedAt?: number };
  /** The current wave's machines in plan order, plus any still in flight from earlier waves. */
  machines: readonly SchedulerMachine[];
  /** Clusters by name; a cluster missing here counts as not ready. */
  clusters: ReadonlyMap<string, SchedulerCluster>;
  /** Machine ids of the current wave (the others in `machines` only count against the caps). */
  waveMachineIds: ReadonlySet<string>;
}

export type SchedulerAction =
  | { kind: "pull"; machineId: string }
  | { kind: "upgrade"; machineId: string }
  | { kind: "time-out"; machineId: string; reason: string };

/** running: work remains; start-bake / baked: the wave's machines are all final; the others stop it. */
export type WaveVerdict =
  | "awaiting-approval"
  | "running"
  | "start-bake"
  | "baking"
  | "baked"
  | "budget-exceeded"
  | "idle";

export interface Schedule {
  actions: SchedulerAction[];
  wave: WaveVerdict;
  /** Why machines wait, in words, with how many wait for that reason. */
  waits: { reason: string; machines: number }[];
  /** Per machine of the wave not started in this pass: why, and until when where that is known (ms). */
  holds: Map<string, Hold>;
  /** Call again at the latest then (a timeout, the end of the bake, a window opening). */
  wakeAt?: number;
  failures: number;
  allowance: number;
}

/** Why a machine waits: in words, and when the hold ends where that is known (a window opening). */
export interface Hold {
  reason: string;
  until?: number;
}

const isInFlight = (p: MachinePhase) => p === "pulling" || p === "upgrading";

class Counter {
  private readonly counts = new Map<string, number>();
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  add(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }
}

export function schedule(input: SchedulerInput): Schedule {
  const { now, safety } = input;
  const timeoutMs = safety.machineTimeoutMinutes * 60_000;
  const actions: SchedulerAction[] = [];
  const waits = new Map<string, number>();
  const holds = new Map<string, Hold>();
  let holding: SchedulerMachine | undefined;
  let holdUntil: number | undefined;
  const wait = (reason: string) => {
    waits.set(reason, (waits.get(reason) ?? 0) + 1);
    if (holding) holds.set(holding.id, { reason, ...(holdUntil !== undefined ? { until: holdUntil } : {}) });
  };
  let wakeAt: number | undefined;
  const wakeBy = (t: number) => {
    wakeAt = wakeAt === undefined ? t : Math.min(wakeAt, t);
  };

  // In flight, the caps' counters, and timeouts.
  const upgrading = { fleet: 0, site: new Counter(), workers: new Counter(), controlPlanes: new Counter() };
  const pulls = { fleet: 0, site: new Counter() };
  // Per cluster: machines in flight, and API endpoints up (a rebooting endpoint cuts Minos off the
  // cluster's other machines, so it upgrades alone when it is the last one up).
  const clusterInFlight = new Counter();
  const endpointsUp = new Map<string, number>();
  for (const c of input.clusters.values())
    if (c.apiEndpointsUp !== undefined) endpointsUp.set(c.name, c.apiEndpointsUp);
  const timedOut = new Set<string>();
  for (const m of input.machines) {
    if (!isInFlight(m.phase)) continue;
    clusterInFlight.add(m.cluster);
    const since = m.inFlightSince ?? now;
    if (now - since >= timeoutMs) {
      timedOut.add(m.id);
      actions.push({
        kind: "time-out",
        machineId: m.id,
        reason: `not done after ${safety.machineTimeoutMinutes} minutes (${m.phase})`,
      });
      continue;
    }
    wakeBy(since + timeoutMs);
    if (m.phase === "pulling" || m.upgradePulling) {
      pulls.fleet++;
      pulls.site.add(m.site);
    }
    if (m.phase === "upgrading") {
      upgrading.fleet++;
      upgrading.site.add(m.site);
      (m.role === "controlplane" ? upgrading.controlPlanes : upgrading.workers).add(m.cluster);
    }
  }

  const wave = input.machines.filter((m) => input.waveMachineIds.has(m.id));
  const failures = wave.filter((m) => m.phase === "failed" || timedOut.has(m.id)).length;
  const allowance = failureAllowance(safety.failureBudget, wave.length);
  const result = (verdict: WaveVerdict): Schedule => ({
    actions,
    wave: verdict,
    waits: [...waits].map(([reason, machines]) => ({ reason, machines })),
    holds,
    wakeAt,
    failures,
    allowance,
  });

  if (failures > allowance) return result("budget-exceeded");
  // Paused or aborting: nothing starts, and the wave neither bakes nor finishes (only timeouts act).
  if (input.status !== "running") return result("idle");
  const open = wave.filter((m) => !FINAL_PHASES.has(m.phase) && !timedOut.has(m.id));
  if (open.length === 0) {
    if (input.wave.bakeStartedAt === undefined) return result("start-bake");
    const bakeEnds = input.wave.bakeStartedAt + safety.bakeMinutes * 60_000;
    if (now < bakeEnds) {
      wakeBy(bakeEnds);
      return result("baking");
    }
    const touched = new Set(wave.filter((m) => m.phase === "done").map((m) => m.cluster));
    for (const c of touched) {
      const cluster = input.clusters.get(c);
      if (!cluster?.ready) wait(`cluster ${c} is not healthy${cluster?.reason ? `: ${cluster.reason}` : ""}`);
    }
    return result(waits.size > 0 ? "baking" : "baked");
  }
  if (!input.wave.approved) return result("awaiting-approval");

  const windowOf = new Map<string, ReturnType<typeof windowState>>();
  const siteWindow = (site: string) => {
    let w = windowOf.get(site);
    if (!w) {
      w = windowState(safety.windows, site, now);
      windowOf.set(site, w);
      if (!w.open && w.opensAt !== undefined) wakeBy(w.opensAt);
    }
    return w;
  };

  for (const [i, m] of open.entries()) {
    if (pulls.fleet >= safety.fleetPulls && upgrading.fleet >= safety.fleetConcurrency) {
      // Both fleet-wide caps are full: nothing else can start in this pass.
      const rest = open.slice(i).filter((x) => x.phase === "pending" || x.phase === "pulled");
      const reason = `fleet-wide limits reached (${safety.fleetPulls} pulls and ${safety.fleetConcurrency} upgrades at once)`;
      if (rest.length > 0) waits.set(reason, (waits.get(reason) ?? 0) + rest.length);
      for (const x of rest) holds.set(x.id, { reason });
      break;
    }
    if (m.phase !== "pending" && m.phase !== "pulled") continue;
    holding = m;
    holdUntil = undefined;
    const win = siteWindow(m.site);
    if (!win.open) {
      holdUntil = win.opensAt;
      wait(
        `waiting for the maintenance window of ${m.site || "(no site)"}${win.opensText ? `, opens ${win.opensText}` : ""}`,
      );
      continue;
    }
    if (endpointsUp.get(m.cluster) === 0) {
      wait(
        `cluster ${m.cluster}: its API endpoints are upgrading, and Minos reaches its machines through them`,
      );
      continue;
    }
    const pullFree = () => {
      if (pulls.fleet >= safety.fleetPulls) {
        wait(`fleet-wide limit of ${safety.fleetPulls} concurrent pulls reached`);
        return false;
      }
      if (pulls.site.get(m.site) >= safety.sitePulls) {
        wait(`limit of ${safety.sitePulls} concurrent pulls at site ${m.site || "(no site)"} reached`);
        return false;
      }
      return true;
    };
    const takePull = () => {
      pulls.fleet++;
      pulls.site.add(m.site);
    };

    if (m.phase === "pending" && safety.prePull && m.canPrePull) {
      if (pullFree()) {
        takePull();
        clusterInFlight.add(m.cluster);
        actions.push({ kind: "pull", machineId: m.id });
      }
      continue;
    }

    // An upgrade slot.
    if (upgrading.fleet >= safety.fleetConcurrency) {
      wait(`fleet-wide limit of ${safety.fleetConcurrency} concurrent upgrades reached`);
      continue;
    }
    if (upgrading.site.get(m.site) >= safety.siteConcurrency) {
      wait(`limit of ${safety.siteConcurrency} concurrent upgrades at site ${m.site || "(no site)"} reached`);
      continue;
    }
    const cluster = input.clusters.get(m.cluster);
    if (!cluster?.ready) {
      wait(`cluster ${m.cluster} is not healthy${cluster?.reason ? `: ${cluster.reason}` : ""}`);
      continue;
    }
    if (m.role === "controlplane") {
      if (upgrading.controlPlanes.get(m.cluster) > 0) {
        wait(`cluster ${m.cluster}: another control plane is upgrading (one at a time)`);
        continue;
      }
      const single = cluster.etcdMembers <= 1;
      const quorumHolds = cluster.etcdHealthy - 1 > Math.floor(cluster.etcdMembers / 2);
      if (single ? !safety.allowSingleControlPlane || cluster.etcdHealthy < 1 : !quorumHolds) {
        wait(
          `cluster ${m.cluster}: etcd has ${cluster.etcdHealthy} of ${cluster.etcdMembers} members healthy, so taking one down would lose quorum`,
        );
        continue;
      }
    } else if (upgrading.workers.get(m.cluster) >= safety.workersPerCluster) {
      wait(`cluster ${m.cluster}: ${safety.workersPerCluster} workers already upgrading`);
      continue;
    }
    const up = endpointsUp.get(m.cluster);
    if (m.apiEndpoint && up !== undefined && up <= 1 && clusterInFlight.get(m.cluster) > 0) {
      wait(
        `cluster ${m.cluster}: ${m.hostname} is its last API endpoint up, so it upgrades once the cluster's other machines in flight are done`,
      );
      continue;
    }
    // Not pulled ahead: the upgrade pulls the installer itself, so it needs a pull slot as well.
    if (m.phase === "pending") {
      if (!pullFree()) continue;
      takePull();
    }
    upgrading.fleet++;
    upgrading.site.add(m.site);
    (m.role === "controlplane" ? upgrading.controlPlanes : upgrading.workers).add(m.cluster);
    clusterInFlight.add(m.cluster);
    if (m.apiEndpoint && up !== undefined) endpointsUp.set(m.cluster, up - 1);
    actions.push({ kind: "upgrade", machineId: m.id });
  }
  return result("running");
}
