// What a pass gives schedule(): the machines that matter now (the current wave's, and any still in flight
// from an earlier wave) as the scheduler sees them, and the facts of their clusters.

import type { PrismaClient } from "../../../platform/db/client";
import { LIFECYCLE_MIN_VERSION, versionAtLeast } from "../../../talos";
import type { SchedulerMachine } from "../scheduler";
import { type ClusterFacts, clusterFacts } from "./cluster-facts";
import type { MachineRow, RolloutState } from "./load-rollout";

export interface SchedulerFacts {
  /** Machines of this rollout pulling or upgrading. */
  inFlight: MachineRow[];
  machines: SchedulerMachine[];
  clusters: Map<string, ClusterFacts>;
}

export async function schedulerFacts(db: PrismaClient, s: RolloutState): Promise<SchedulerFacts> {
  const inFlight = s.rows.filter((m) => m.phase === "pulling" || m.phase === "upgrading");
  const relevant = s.rows.filter((m) => m.waveIndex === s.rollout.currentWave || inFlight.includes(m));
  const clusters = await clusterFacts(
    db,
    [...new Set(relevant.map((m) => m.machine.cluster.name))],
    new Set(inFlight.map((m) => m.machineId)),
    new Set(inFlight.filter((m) => m.phase === "upgrading").map((m) => m.machineId)),
  );
  const machines = relevant.map((m): SchedulerMachine => {
    const canPrePull = versionAtLeast(m.machine.talosVersion, LIFECYCLE_MIN_VERSION);
    return {
      id: m.id,
      hostname: m.machine.hostname,
      cluster: m.machine.cluster.name,
      site: m.machine.effectiveSite,
      role: m.machine.role,
      phase: m.phase,
      inFlightSince: m.inFlightSince?.getTime(),
      canPrePull,
      upgradePulling: m.phase === "upgrading" && !m.actorId && !(canPrePull && s.safety.prePull),
      apiEndpoint: clusters.get(m.machine.cluster.name)?.endpointHosts.has(m.machine.address) ?? false,
    };
  });
  return { inFlight, machines, clusters };
}
