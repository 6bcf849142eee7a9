// The clusters within the caller's scope with their machines counted by health and role, their
// versions, site and labels. Counts include only machines the caller may see.
import { z } from "zod";
import { clusterScopeWhere, machineScopeWhere } from "../../access/auth/scope-filter";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { likeText } from "../../platform/db/like-text";
import { HEALTH_STATES, type Health } from "../health";
import { emptyCounts } from "../health/cluster-health";
import { labelsOf } from "./placement";

export const listClustersSchema = z.object({
  q: z.string().trim().max(200).optional(),
  health: z.array(z.enum(HEALTH_STATES)).max(6).optional(),
  /** Site path; includes everything under it. */
  site: z.string().trim().max(253).optional(),
  sort: z.enum(["name", "health", "site"]).default("name"),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(500).default(100),
});

export interface ClusterRow {
  id: string;
  name: string;
  site: string;
  labels: Record<string, string>;
  health: Health;
  healthReason: string;
  healthSince: Date;
  machines: number;
  controlPlanes: number;
  counts: Record<Health, number>;
  talosVersions: string[];
  kubernetesVersions: string[];
}

export async function listClusters({
  db,
  scopes,
  input,
}: {
  db: PrismaClient;
  scopes: string[];
  input: z.output<typeof listClustersSchema>;
}): Promise<{ rows: ClusterRow[]; total: number; page: number; pageSize: number }> {
  const and: Prisma.ClusterWhereInput[] = [clusterScopeWhere(scopes), { removedAt: null }];
  if (input.q) and.push({ name: { contains: likeText(input.q), mode: "insensitive" } });
  if (input.health?.length) and.push({ health: { in: input.health } });
  if (input.site) {
    const base = input.site.replace(/\/\*$/, "");
    and.push({ OR: [{ site: base }, { site: { startsWith: `${likeText(base)}/` } }] });
  }
  const where: Prisma.ClusterWhereInput = { AND: and };
  const orderBy: Prisma.ClusterOrderByWithRelationInput[] =
    input.sort === "health"
      ? [{ health: "desc" }, { healthSince: "asc" }, { name: "asc" }]
      : input.sort === "site"
        ? [{ site: "asc" }, { name: "asc" }]
        : [{ name: "asc" }];
  const [total, clusters] = await Promise.all([
    db.cluster.count({ where }),
    db.cluster.findMany({
      where,
      orderBy,
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: {
        id: true,
        name: true,
        site: true,
        labels: true,
        health: true,
        healthReason: true,
        healthSince: true,
      },
    }),
  ]);
  const ids = clusters.map((c) => c.id);
  const machineWhere: Prisma.MachineWhereInput = {
    AND: [machineScopeWhere(scopes), { clusterId: { in: ids }, removedAt: null }],
  };
  const groups = ids.length
    ? await db.machine.groupBy({
        by: ["clusterId", "health", "role", "talosVersion", "kubernetesVersion"],
        where: machineWhere,
        _count: { _all: true },
      })
    : [];
  const rows = clusters.map((c): ClusterRow => {
    const mine = groups.filter((g) => g.clusterId === c.id);
    const counts = emptyCounts();
    let controlPlanes = 0;
    for (const g of mine) {
      counts[g.health] += g._count._all;
      if (g.role === "controlplane") controlPlanes += g._count._all;
    }
    const distinct = (k: "talosVersion" | "kubernetesVersion") =>
      [...new Set(mine.map((g) => g[k]).filter(Boolean))].sort();
    return {
      ...c,
      labels: labelsOf(c.labels),
      machines: Object.values(counts).reduce((a, b) => a + b, 0),
      controlPlanes,
      counts,
      talosVersions: distinct("talosVersion"),
      kubernetesVersions: distinct("kubernetesVersion"),
    };
  });
  return { rows, total, page: input.page, pageSize: input.pageSize };
}
