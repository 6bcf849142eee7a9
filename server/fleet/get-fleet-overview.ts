// The fleet overview: machines and clusters counted by health, the machines needing attention
// (longest first, with why), health by site and by cluster, and the Talos and Kubernetes versions in
// use — all counts in one SQL statement, the attention rows in a second. Limited to the caller's scope.
import { machineScopeWhere } from "../auth/scope-filter";
import { clusterScopeSql, machineScopeSql } from "../auth/scope-sql";
import type { PrismaClient } from "../db/client";
import { Prisma } from "../db/generated/client";
import { type Health, SEVERITY } from "../health";
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

type Group = { key: string; health: Health; n: number };

/** What the one counting statement returns: every group the overview needs, as JSON arrays. */
interface Counts {
  machines: Group[] | null;
  clusters: Group[] | null;
  /** Site prefixes of one and two levels. */
  sites: Group[] | null;
  /** Full effective sites that hold a machine needing attention, all their machines counted. */
  attentionSites: Group[] | null;
  worst: Array<{
    name: string;
    site: string;
    health: Health;
    healthReason: string;
    machines: number;
    attention: number;
  }> | null;
  talos: Array<{ version: string; machines: number }> | null;
  kubernetes: Array<{ version: string; machines: number }> | null;
}

const severitySql = Prisma.raw(
  `CASE health ${Object.entries(SEVERITY)
    .map(([h, n]) => `WHEN '${h}' THEN ${n}`)
    .join(" ")} END`,
);
const attentionSql = Prisma.raw(`(${ATTENTION.map((h) => `'${h}'`).join(",")})`);

/** All counts of the overview in one statement: Postgres groups 10,000 rows far faster than we could. */

function countsSql(scopes: string[]): Prisma.Sql {
  return Prisma.sql`
    WITH g AS (
      -- One pass over the machines: by (site, health), by Talos version, by Kubernetes version.
      SELECT machine.effective_site AS site, machine.health::text AS health,
             machine.talos_version, machine.kubernetes_version,
             GROUPING(machine.effective_site, machine.health) AS by_version, count(*)::int AS n
      FROM machine WHERE machine.removed_at IS NULL AND ${machineScopeSql(scopes)}
      GROUP BY GROUPING SETS ((machine.effective_site, machine.health), (machine.talos_version),
                             (machine.kubernetes_version))
    ),
    bysite AS (SELECT site, health, n FROM g WHERE by_version = 0),
    c AS (SELECT * FROM cluster WHERE ${clusterScopeSql(scopes)}),
    worst AS (
      SELECT c.id, c.name, c.site, c.health::text AS health, c.health_reason, c.health_since
      FROM c WHERE c.health <> 'healthy'
      ORDER BY ${severitySql} DESC, c.health_since ASC LIMIT ${WORST_CLUSTERS}
    )
    SELECT
      (SELECT json_agg(json_build_object('key', '', 'health', health, 'n', n))
         FROM (SELECT health, sum(n)::int AS n FROM bysite GROUP BY health) x) AS machines,
      (SELECT json_agg(json_build_object('key', '', 'health', health, 'n', n))
         FROM (SELECT health::text AS health, count(*)::int AS n FROM c GROUP BY health) x) AS clusters,
      (SELECT json_agg(json_build_object('key', key, 'health', health, 'n', n))
         FROM (SELECT p.key, b.health, sum(b.n)::int AS n
               FROM bysite b CROSS JOIN LATERAL (
                 SELECT split_part(b.site, '/', 1) AS key WHERE b.site <> ''
                 UNION ALL SELECT array_to_string((string_to_array(b.site, '/'))[1:2], '/')
                   WHERE b.site LIKE '%/%'
                 UNION ALL SELECT '' WHERE b.site = ''
               ) p
               GROUP BY p.key, b.health) x) AS sites,
      (SELECT json_agg(json_build_object('key', site, 'health', health, 'n', n))
         FROM (SELECT site, health, n, bool_or(health IN ${attentionSql}) OVER (PARTITION BY site) AS needs
               FROM bysite WHERE site <> '') x
         WHERE needs) AS "attentionSites",
      (SELECT json_agg(json_build_object(
                'name', w.name, 'site', w.site, 'health', w.health, 'healthReason', w.health_reason,
                'machines', coalesce(k.machines, 0), 'attention', coalesce(k.attention, 0))
              ORDER BY ${severitySql} DESC, w.health_since ASC)
         FROM worst w LEFT JOIN (
           SELECT machine.cluster_id, count(*)::int AS machines,
                  (count(*) FILTER (WHERE machine.health::text IN ${attentionSql}))::int AS attention
           FROM machine
           WHERE machine.cluster_id IN (SELECT id FROM worst) AND machine.removed_at IS NULL
             AND ${machineScopeSql(scopes)}
           GROUP BY machine.cluster_id
         ) k ON k.cluster_id = w.id) AS worst,
      (SELECT json_agg(json_build_object('version', talos_version, 'machines', n) ORDER BY n DESC, talos_version)
         FROM g WHERE by_version = 3 AND talos_version IS NOT NULL) AS talos,
      (SELECT json_agg(json_build_object('version', kubernetes_version, 'machines', n)
                       ORDER BY n DESC, kubernetes_version)
         FROM g WHERE by_version = 3 AND kubernetes_version IS NOT NULL) AS kubernetes`;
}

function byKey(groups: Group[] | null): Map<string, Record<Health, number>> {
  const out = new Map<string, Record<Health, number>>();
  for (const g of groups ?? []) {
    const c = out.get(g.key) ?? emptyCounts();
    c[g.health] += g.n;
    out.set(g.key, c);
  }
  return out;
}

const siteHealth = ([site, counts]: [string, Record<Health, number>]): SiteHealth => ({
  site,
  depth: site ? site.split("/").length : 0,
  counts,
  total: total(counts),
});

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
  const [[counts], attention] = await Promise.all([
    db.$queryRaw<Counts[]>(countsSql(scopes)),
    db.machine.findMany({
      where: { AND: [machineWhere, { health: { in: ATTENTION } }] },
      orderBy: [{ healthSince: "asc" }, { id: "asc" }],
      take: ATTENTION_ROWS,
      select: machineRowSelect,
    }),
  ]);
  if (!counts) throw new Error("the overview statement returned no row");
  const machineCounts = byKey(counts.machines).get("") ?? emptyCounts();
  const clusterCounts = byKey(counts.clusters).get("") ?? emptyCounts();
  const worstSeverity = (c: Record<Health, number>) =>
    Math.max(...(Object.keys(c) as Health[]).filter((h) => c[h] > 0).map((h) => SEVERITY[h]), 0);

  return {
    machines: { total: total(machineCounts), counts: machineCounts },
    clusters: { total: total(clusterCounts), counts: clusterCounts },
    attention: { total: needing(machineCounts), rows: attention.map((m) => toMachineRow(m, now)) },
    sites: [...byKey(counts.sites)].map(siteHealth).sort((a, b) => a.site.localeCompare(b.site)),
    sitesNeedingAttention: [...byKey(counts.attentionSites)]
      .map(siteHealth)
      .sort(
        (a, b) => worstSeverity(b.counts) - worstSeverity(a.counts) || needing(b.counts) - needing(a.counts),
      )
      .slice(0, 10),
    worstClusters: counts.worst ?? [],
    talosVersions: counts.talos ?? [],
    kubernetesVersions: counts.kubernetes ?? [],
  };
}
