// Loads the machines a rollout's scope chooses (within the caller's scope), with locks and control
// plane counts, as the planner takes them.
import { z } from "zod";
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import { parseSelector } from "../../model/selector";
import { untrusted } from "../../model/untrusted-text";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { selectorWhere } from "../../platform/db/selector-where";
import type { Locks, PlanMachine } from "./plan";

export const rolloutScopeSchema = z
  .object({
    /** Machines handed over from the machines list or the drift view. */
    machineIds: z.array(z.uuid("must be a machine id")).max(20_000).optional(),
    /** A label selector (role=worker,site in (eu/*)…). */
    selector: z.string().trim().max(2_000).optional(),
    clusters: z.array(z.string().min(1).max(200)).max(5_000).optional(),
  })
  .refine((s) => s.machineIds?.length || s.selector !== undefined || s.clusters?.length, {
    message: "choose machines: a selection, a selector (empty for the whole fleet) or clusters",
  });
export type RolloutScope = z.infer<typeof rolloutScopeSchema>;

export function describeScope(s: RolloutScope): string {
  const parts: string[] = [];
  if (s.machineIds?.length)
    parts.push(`${s.machineIds.length} selected ${s.machineIds.length === 1 ? "machine" : "machines"}`);
  if (s.clusters?.length) parts.push(`clusters ${s.clusters.join(", ")}`);
  if (s.selector !== undefined) parts.push(s.selector ? `selector ${s.selector}` : "the whole fleet");
  return parts.join("; ");
}

export interface Candidates {
  machines: PlanMachine[];
  locks: Locks;
  controlPlanesPerCluster: Map<string, number>;
}

export async function loadCandidates({
  db,
  scopes,
  scope,
}: {
  db: PrismaClient;
  scopes: string[];
  scope: RolloutScope;
}): Promise<Candidates> {
  const and: Prisma.MachineWhereInput[] = [machineScopeWhere(scopes), { removedAt: null }];
  if (scope.machineIds?.length) and.push({ id: { in: scope.machineIds } });
  if (scope.clusters?.length) and.push({ cluster: { name: { in: scope.clusters } } });
  if (scope.selector) and.push(selectorWhere(parseSelector(scope.selector)));
  const rows = await db.machine.findMany({
    where: { AND: and },
    select: {
      id: true,
      hostname: true,
      role: true,
      effectiveSite: true,
      effectiveLabels: true,
      talosVersion: true,
      kubernetesVersion: true,
      stage: true,
      health: true,
      reachable: true,
      cluster: { select: { name: true } },
    },
  });
  if (scope.machineIds?.length && rows.length === 0) {
    throw new AppError("NOT_FOUND", {
      userMessage: "None of the selected machines exists or is within your scope.",
    });
  }
  const clusterNames = [...new Set(rows.map((r) => r.cluster.name))];
  const [cpCounts, locks] = await Promise.all([
    db.machine.groupBy({
      by: ["clusterId"],
      where: { role: "controlplane", removedAt: null, cluster: { name: { in: clusterNames } } },
      _count: { _all: true },
    }),
    db.rolloutLock.findMany({
      select: { reason: true, createdBy: true, machineId: true, cluster: { select: { name: true } } },
    }),
  ]);
  const clusterIds = await db.cluster.findMany({
    where: { name: { in: clusterNames } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(clusterIds.map((c) => [c.id, c.name]));
  const controlPlanesPerCluster = new Map<string, number>();
  for (const c of cpCounts) controlPlanesPerCluster.set(nameOf.get(c.clusterId) ?? "", c._count._all);
  return {
    machines: rows.map((r) => ({
      id: r.id,
      hostname: r.hostname,
      cluster: r.cluster.name,
      site: r.effectiveSite,
      role: r.role,
      health: r.health,
      reachable: r.reachable,
      version: r.talosVersion,
      kubernetes: r.kubernetesVersion,
      stage: r.stage,
      labels: (r.effectiveLabels ?? {}) as Record<string, string>,
    })),
    // The plan shows the reason and who locked it: "cluster locked: store refit (by lou)".
    locks: {
      machines: new Map(
        locks
          .filter((l) => l.machineId)
          .map((l) => [l.machineId as string, `${untrusted(l.reason)} (by ${untrusted(l.createdBy)})`]),
      ),
      clusters: new Map(
        locks
          .filter((l) => l.cluster)
          .map((l) => [l.cluster?.name as string, `${untrusted(l.reason)} (by ${untrusted(l.createdBy)})`]),
      ),
    },
    controlPlanesPerCluster,
  };
}
