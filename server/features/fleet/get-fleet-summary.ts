// Counts what the inventory holds within the caller's scope: the numbers the fleet overview
// starts from. Nothing out of scope is counted.
import { clusterScopeWhere, machineScopeWhere } from "../../access/auth/scope-filter";
import type { PrismaClient } from "../../platform/db/client";

export interface FleetSummary {
  clusters: number;
  machines: number;
  controlPlanes: number;
  workers: number;
  sites: number;
}

export async function getFleetSummary({
  db,
  scopes,
}: {
  db: PrismaClient;
  scopes: string[];
}): Promise<FleetSummary> {
  const clusterWhere = { AND: [clusterScopeWhere(scopes), { removedAt: null }] };
  const machineWhere = { AND: [machineScopeWhere(scopes), { removedAt: null }] };
  const [clusters, byRole, sites] = await Promise.all([
    db.cluster.count({ where: clusterWhere }),
    db.machine.groupBy({ by: ["role"], where: machineWhere, _count: { _all: true } }),
    db.cluster.findMany({
      where: { AND: [clusterWhere, { site: { not: "" } }] },
      distinct: ["site"],
      select: { site: true },
    }),
  ]);
  const count = (role: string) => byRole.find((r) => r.role === role)?._count._all ?? 0;
  return {
    clusters,
    machines: count("controlplane") + count("worker"),
    controlPlanes: count("controlplane"),
    workers: count("worker"),
    sites: sites.length,
  };
}
