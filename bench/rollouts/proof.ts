// What a finished rollout must prove, counted from the simulator's own upgrade records against Minos's rows:
// no machine upgraded twice (more upgrade requests than the attempts Minos made), and no machine lost (in
// scope, yet neither upgraded nor left out or failed with a reason); and how many upgrades ran at once.
import type { UpgradeCall } from "@/sim";

export interface ProofInput {
  /** Every machine in the rollout's scope. */
  inScope: readonly { id: string; hostname: string }[];
  /** The rollout's machines at the end, as Minos stored them. */
  rows: readonly { machineId: string; phase: string; attempt: number; error: string | null }[];
  /** Machines the plan left out, with why. */
  excluded: readonly { machineId: string; reason: string }[];
  /** The upgrade requests each node received, by hostname, as the simulator recorded them. */
  calls: ReadonlyMap<string, readonly UpgradeCall[]>;
  /** The Talos version each node runs at the end, by hostname, as the simulator says. */
  versions: ReadonlyMap<string, string>;
  targetVersion: string;
}

export interface Proof {
  /** Nodes that received more upgrade requests than Minos made attempts on them (any request, if not planned). */
  doubleUpgrades: string[];
  /** In scope, and neither upgraded (done in Minos and on the target in the simulator) nor excluded or failed with a reason. */
  lost: string[];
  upgraded: number;
  failed: number;
  excluded: number;
}

export function proveRollout(input: ProofInput): Proof {
  const rowOf = new Map(input.rows.map((r) => [r.machineId, r]));
  const excludedWhy = new Map(input.excluded.map((e) => [e.machineId, e.reason]));
  const doubleUpgrades: string[] = [];
  const lost: string[] = [];
  let upgraded = 0;
  let failed = 0;
  let excluded = 0;
  for (const m of input.inScope) {
    const row = rowOf.get(m.id);
    const requests = input.calls.get(m.hostname)?.length ?? 0;
    if (requests > (row?.attempt ?? 0)) doubleUpgrades.push(m.hostname);
    if (row?.phase === "done" && input.versions.get(m.hostname) === input.targetVersion) upgraded++;
    else if (row?.phase === "failed" && row.error) failed++;
    else if (!row && excludedWhy.get(m.id)) excluded++;
    else lost.push(m.hostname);
  }
  // Requests to nodes outside the scope are upgrades nobody asked for.
  const inScope = new Set(input.inScope.map((m) => m.hostname));
  for (const [hostname, calls] of input.calls) {
    if (!inScope.has(hostname) && calls.length > 0) doubleUpgrades.push(hostname);
  }
  return { doubleUpgrades, lost, upgraded, failed, excluded };
}

/**
 * Most upgrade requests in flight at once across the fleet: each accepted request from its arrival until its
 * outcome became final (`endedAt`; still in flight at `now` without one). Refused requests never ran.
 */
export function upgradesAtOnce(calls: Iterable<readonly UpgradeCall[]>, now = Date.now()): number {
  const edges: [number, number][] = [];
  for (const list of calls) {
    for (const c of list) {
      if (c.outcome === "refused") continue;
      edges.push([Date.parse(c.at), 1], [c.endedAt ? Date.parse(c.endedAt) : now, -1]);
    }
  }
  // At equal times an end comes before a start: a node that finished as another began is not two at once.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, d] of edges) {
    current += d;
    peak = Math.max(peak, current);
  }
  return peak;
}
