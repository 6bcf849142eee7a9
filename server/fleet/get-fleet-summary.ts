// Counts what the inventory holds: the numbers the fleet overview starts from.
import type { PrismaClient } from "../db/client";

export interface FleetSummary {
  clusters: number;
  machines: number;
  controlPlanes: number;
  workers: number;
  sites: number;
}

export async function getFleetSummary({ db }: { db: PrismaClient }): Promise<FleetSummary> {
  const [clusters, byRole, sites] = await Promise.all([
    db.cluster.count(),
    db.machine.groupBy({ by: ["role"], _count: { _all: true } }),
    db.cluster.findMany({ where: { site: { not: "" } }, distinct: ["site"], select: { site: true } }),
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
