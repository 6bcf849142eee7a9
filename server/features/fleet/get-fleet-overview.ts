// The fleet overview: machines and clusters counted by health, the machines needing attention
// (longest first, with why), health by site and by cluster, and the Talos and Kubernetes versions in
// use. Machines are counted from `machine_count` (kept exact by the database on every machine change),
// so the work grows with clusters and sites, not machines. Three reads, run side by side: machine
// counts, cluster counts with the worst clusters, the attention rows. Limited to the caller's scope.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { clusterScopeSql, machineScopeSql } from "../../access/auth/scope-sql";
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";
import { HEALTH_STATES, type Health, SEVERITY } from "../health";
import { emptyCounts } from "../health/cluster-health";
import { type MachineRow, machineRowSelect, toMachineRow } from "../inventory/list-machines";

const ATTENTION: Health[] = ["unhealthy", "unreachable", "degraded"];
const ATTENTION_ROWS = 12;
const WORST_CLUSTERS = 12;

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

/** One group of machines in scope, counted by health: by site prefix, by full site, by version, or all. */
interface CountGroup {
  /** What the group is: "all", "site" (a prefix of one or two levels, "" for no site), "attention" (a full site
   * with machines needing attention), "talos" or "kubernetes" (a version). */
  kind: "all" | "site" | "attention" | "talos" | "kubernetes";
  key: string;
  counts: Record<Health, number>;
}

interface ClusterCounts {
  counts: Partial<Record<Health, number>> | null;
  worst: FleetOverview["worstClusters"] | null;
}

const severitySql = Prisma.raw(
  `CASE health ${Object.entries(SEVERITY)
    .map(([h, n]) => `WHEN '${h}' THEN ${n}`)
    .join(" ")} END`,
);
const attentionHealthSql = Prisma.raw(`(${ATTENTION.map((h) => `'${h}'`).join(",")})`);
const countsByHealthSql = Prisma.raw(
  `json_build_object(${HEALTH_STATES.map((h) => `'${h}', coalesce(sum(mc.machines) FILTER (WHERE mc.health = '${h}'), 0)`).join(", ")})`,
);
const region = Prisma.sql`split_part(mc.effective_site, '/', 1)`;
const country = Prisma.sql`CASE WHEN mc.effective_site LIKE '%/%' THEN array_to_string((string_to_array(mc.effective_site, '/'))[1:2], '/') END`;

/**
 * Machines in scope counted from `machine_count` (kept by the database: ~1 row per cluster and state, not
 * one per machine), in one grouping pass: all, by region, by region/country, by full site (only sites
 * needing attention are returned), by Talos and Kubernetes version.
 */
const countGroupsSql = (scopes: string[]) => Prisma.sql`
  SELECT CASE WHEN GROUPING(${region}) = 0 OR GROUPING(${country}) = 0 THEN 'site'
              WHEN GROUPING(mc.effective_site) = 0 THEN 'attention'
              WHEN GROUPING(mc.talos_version) = 0 THEN 'talos'
              WHEN GROUPING(mc.kubernetes_version) = 0 THEN 'kubernetes'
              ELSE 'all' END AS kind,
         coalesce(${region}, ${country}, mc.effective_site, mc.talos_version, mc.kubernetes_version, '') AS key,
         ${countsByHealthSql} AS counts
  FROM machine_count mc WHERE ${machineScopeSql(scopes, "mc")}
  GROUP BY GROUPING SETS ((), (${region}), (${country}), (mc.effective_site), (mc.talos_version),
                          (mc.kubernetes_version))
  HAVING (GROUPING(${country}) = 1 OR ${country} IS NOT NULL)
     AND (GROUPING(mc.effective_site) = 1
          OR (mc.effective_site <> '' AND bool_or(mc.health::text IN ${attentionHealthSql})))`;

/** Clusters in scope by health, and the worst of them (most severe, longest in that state first). */
const clustersSql = (scopes: string[]) => Prisma.sql`
  WITH worst AS (
    SELECT cluster.id, cluster.name, cluster.site, cluster.health::text AS health, cluster.health_reason,
           ${severitySql} AS severity, cluster.health_since
    FROM cluster WHERE ${clusterScopeSql(scopes)} AND cluster.removed_at IS NULL AND cluster.health <> 'healthy'
    ORDER BY severity DESC, cluster.health_since ASC LIMIT ${WORST_CLUSTERS}
  )
  SELECT
    (SELECT json_object_agg(health, n) FROM (
       SELECT cluster.health::text AS health, count(*)::int AS n FROM cluster
       WHERE ${clusterScopeSql(scopes)} AND cluster.removed_at IS NULL GROUP BY cluster.health) x) AS counts,
    (SELECT json_agg(json_build_object('name', w.name, 'site', w.site, 'health', w.health,
                     'healthReason', w.health_reason, 'machines', coalesce(k.machines, 0),
                     'attention', coalesce(k.attention, 0))
                     ORDER BY w.severity DESC, w.health_since ASC)
     FROM worst w LEFT JOIN LATERAL (
       SELECT sum(mc.machines)::int AS machines,
              sum(mc.machines) FILTER (WHERE mc.health::text IN ${attentionHealthSql})::int AS attention
       FROM machine_count mc WHERE mc.cluster_id = w.id AND ${machineScopeSql(scopes, "mc")}) k ON TRUE) AS worst`;

const siteHealth = ({ key: site, counts }: CountGroup): SiteHealth => ({
  site,
  depth: site ? site.split("/").length : 0,
  counts,
  total: total(counts),
});

/** Versions in use, most machines first ("" for machines whose version is not known yet). */
const versions = (groups: CountGroup[]) =>
  groups
    .map((g) => ({ version: g.key, machines: total(g.counts) }))
    .sort((a, b) => b.machines - a.machines || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));

export async function getFleetOverview({
  db,
  scopes,
  now = new Date(),
}: {
  db: PrismaClient;
  scopes: string[];
  now?: Date;
}): Promise<FleetOverview> {
  const [groups, [clusters], attention] = await Promise.all([
    db.$queryRaw<CountGroup[]>(countGroupsSql(scopes)),
    db.$queryRaw<ClusterCounts[]>(clustersSql(scopes)),
    // The rows as the machines list shows them: the same select, the same row.
    db.machine.findMany({
      where: { AND: [machineScopeWhere(scopes), { removedAt: null }, { health: { in: ATTENTION } }] },
      orderBy: [{ healthSince: "asc" }, { id: "asc" }],
      take: ATTENTION_ROWS,
      select: machineRowSelect,
    }),
  ]);
  if (!clusters) throw new Error("the cluster counts statement returned no row");
  const of = (kind: CountGroup["kind"]) => groups.filter((g) => g.kind === kind);
  const machineCounts = of("all")[0]?.counts ?? emptyCounts();
  const clusterCounts = { ...emptyCounts(), ...clusters.counts };
  const worstSeverity = (c: Record<Health, number>) =>
    Math.max(...(Object.keys(c) as Health[]).filter((h) => c[h] > 0).map((h) => SEVERITY[h]), 0);

  return {
    machines: { total: total(machineCounts), counts: machineCounts },
    clusters: { total: total(clusterCounts), counts: clusterCounts },
    attention: { total: needing(machineCounts), rows: attention.map((m) => toMachineRow(m, now)) },
    sites: of("site")
      .map(siteHealth)
      .sort((a, b) => a.site.localeCompare(b.site)),
    sitesNeedingAttention: of("attention")
      .map(siteHealth)
      .sort(
        (a, b) =>
          worstSeverity(b.counts) - worstSeverity(a.counts) ||
          needing(b.counts) - needing(a.counts) ||
          a.site.localeCompare(b.site),
      )
      .slice(0, 10),
    worstClusters: clusters.worst ?? [],
    talosVersions: versions(of("talos")),
    kubernetesVersions: versions(of("kubernetes")),
  };
}
