// The fleet overview in one round of grouped queries: machines and clusters counted by health, the
// machines needing attention (longest first, with why), health by site and by cluster, and the
// Talos and Kubernetes versions in use. Everything is limited to the caller's scope.
import { clusterScopeWhere, machineScopeWhere } from "../auth/scope-filter";
import type { PrismaClient } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { type Health, SEVERITY } from "../health";
import { emptyCounts } from "../health/cluster-health";
import { type MachineRow, machineRowSelect, toMachineRow } from "../inventory/list-machines";

const ATTENTION: Health[] = ["unhealthy", "unreachable", "degraded"];
const ATTENTION_ROWS = 12;
const WORST_CLUSTERS = 12;
const SITE_DEPTH = 2;

export interface SiteHealth {
  site: string;
  depth: number;
  counts: Record<Health, number>;
  total: number;
}

export interface FleetOverview {
  machines: { total: number; counts: Record<Health, number> };
  clusters: { total: number; counts: Record<Health, number> };
  attention: { total: number; rows: MachineRow[] };
  /** Machines by effective site, for every site path up to two levels (region, country). */
  sites: SiteHealth[];
  /** Full site paths with machines needing attention, worst first. */
  sitesNeedingAttention: SiteHealth[];
  worstClusters: Array<{
    name: string;
    site: string;
    health: Health;
    healthReason: string;
    machines: number;
    attention: number;
  }>;
  talosVersions: Array<{ version: string; machines: number }>;
  kubernetesVersions: Array<{ version: string; machines: number }>;
}

const total = (c: Record<Health, number>) => Object.values(c).reduce((a, b) => a + b, 0);
const needing = (c: Record<Health, number>) => ATTENTION.reduce((a, h) => a + c[h], 0);

export async function getFleetOverview({
  db,
  scopes,
  now = new Date(),
}: {
  db: PrismaClient;
  scopes: string[];
  now?: Date;
}): Promise<FleetOverview> {
  const machineWhere: Prisma.MachineWhereInput = { AND: [machineScopeWhere(scopes), { removedAt: null }] };
  const clusterWhere = clusterScopeWhere(scopes);
  const [byPlace, clusters, attention, talos, kubernetes] = await Promise.all([
    db.machine.groupBy({ by: ["clusterId", "site", "health"], where: machineWhere, _count: { _all: true } }),
    db.cluster.findMany({
      where: clusterWhere,
      select: { id: true, name: true, site: true, health: true, healthReason: true, healthSince: true },
    }),
    db.machine.findMany({
      where: { AND: [machineWhere, { health: { in: ATTENTION } }] },
      orderBy: [{ healthSince: "asc" }, { id: "asc" }],
      take: ATTENTION_ROWS,
      select: machineRowSelect,
    }),
    db.machine.groupBy({ by: ["talosVersion"], where: machineWhere, _count: { _all: true } }),
    db.machine.groupBy({ by: ["kubernetesVersion"], where: machineWhere, _count: { _all: true } }),
  ]);

  const clusterById = new Map(clusters.map((c) => [c.id, c]));
  const machineCounts = emptyCounts();
  const perCluster = new Map<string, Record<Health, number>>();
  const perSite = new Map<string, Record<Health, number>>();
  const add = (map: Map<string, Record<Health, number>>, key: string, h: Health, n: number) => {
    const c = map.get(key) ?? emptyCounts();
    c[h] += n;
    map.set(key, c);
  };
  for (const g of byPlace) {
    const n = g._count._all;
    machineCounts[g.health] += n;
    add(perCluster, g.clusterId, g.health, n);
    // A machine may be in scope through its own site while its cluster is not: its cluster's
    // site is then not needed (the override decides).
    const site = g.site ?? clusterById.get(g.clusterId)?.site ?? "";
    const parts = site.split("/").filter(Boolean);
    if (parts.length === 0) add(perSite, "", g.health, n);
    for (let i = 1; i <= parts.length; i++) add(perSite, parts.slice(0, i).join("/"), g.health, n);
  }
  const clusterCounts = emptyCounts();
  for (const c of clusters) clusterCounts[c.health]++;

  const sites = [...perSite]
    .map(([site, counts]) => ({
      site,
      depth: site ? site.split("/").length : 0,
      counts,
      total: total(counts),
    }))
    .sort((a, b) => a.site.localeCompare(b.site));
  const worstSeverity = (c: Record<Health, number>) =>
    Math.max(...(Object.keys(c) as Health[]).filter((h) => c[h] > 0).map((h) => SEVERITY[h]), 0);
  const leafDepth = (s: SiteHealth) =>
    !sites.some((o) => o.depth > s.depth && o.site.startsWith(`${s.site}/`));

  return {
    machines: { total: total(machineCounts), counts: machineCounts },
    clusters: { total: clusters.length, counts: clusterCounts },
    attention: { total: needing(machineCounts), rows: attention.map((m) => toMachineRow(m, now)) },
    sites: sites.filter((s) => s.depth <= SITE_DEPTH),
    sitesNeedingAttention: sites
      .filter((s) => needing(s.counts) > 0 && s.depth > 0 && leafDepth(s))
      .sort(
        (a, b) => worstSeverity(b.counts) - worstSeverity(a.counts) || needing(b.counts) - needing(a.counts),
      )
      .slice(0, 10),
    worstClusters: clusters
      .filter((c) => c.health !== "healthy")
      .sort(
        (a, b) =>
          SEVERITY[b.health] - SEVERITY[a.health] || a.healthSince.getTime() - b.healthSince.getTime(),
      )
      .slice(0, WORST_CLUSTERS)
      .map((c) => {
        const counts = perCluster.get(c.id) ?? emptyCounts();
        return {
          name: c.name,
          site: c.site,
          health: c.health,
          healthReason: c.healthReason,
          machines: total(counts),
          attention: needing(counts),
        };
      }),
    talosVersions: talos
      .map((g) => ({ version: g.talosVersion, machines: g._count._all }))
      .sort((a, b) => b.machines - a.machines),
    kubernetesVersions: kubernetes
      .map((g) => ({ version: g.kubernetesVersion, machines: g._count._all }))
      .sort((a, b) => b.machines - a.machines),
  };
}
