// The fleet overview counts machines from `machine_count`, which database triggers keep. These tests
// change the inventory the ways the application does (collector batches, membership sync, placement
// edits, removal, deletion, concurrent writers) and check after each change that the overview, for
// every kind of scope, equals the same figures computed straightforwardly from the machine rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterScopeWhere, machineScopeWhere } from "../../access/auth/scope-filter";
import type { PrismaClient } from "../../platform/db/client";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { type SeedCluster, seedInventory } from "../../testing/seed-inventory";
import { HEALTH_STATES, type Health, SEVERITY } from "../health";
import { emptyCounts } from "../health/cluster-health";
import { editClusterPlacement, editMachinesPlacement } from "../inventory/edit-placement";
import { machineRowSelect, toMachineRow } from "../inventory/list-machines";
import { syncMembers } from "../inventory/sync-members";
import { type FleetOverview, getFleetOverview } from "./get-fleet-overview";

const SCOPES: string[][] = [
  [""],
  [],
  ["site:eu/dk/*"],
  ["site:eu/se/malmo"],
  ["labels:tier=flagship"],
  ["site:us/*", "labels:tier=flagship"],
];

const ATTENTION: Health[] = ["unhealthy", "unreachable", "degraded"];
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/** Eight clusters over three countries, one without a site, with mixed health, versions and overrides. */
function fleet(): SeedCluster[] {
  const sites = [
    "eu/dk/aarhus",
    "eu/dk/odense",
    "eu/se/malmo",
    "us/ca/fresno",
    "us",
    "",
    "eu/dk/vejle",
    "ap/jp/osaka",
  ];
  return sites.map((site, ci) => ({
    name: `c${ci}`,
    site,
    labels: ci % 3 === 0 ? { tier: "flagship" } : { tier: "standard" },
    health: (["healthy", "degraded", "unhealthy", "unreachable"] as const)[ci % 4],
    machines: Array.from({ length: 4 }, (_, mi) => ({
      hostname: `c${ci}-m${mi}`,
      health: HEALTH_STATES[(ci * 4 + mi) % HEALTH_STATES.length],
      healthSince: minutesAgo(ci * 40 + mi * 7),
      talosVersion: ["v1.11.5", "v1.10.7", "v1.12.0"][(ci + mi) % 3],
      kubernetesVersion: mi % 2 ? "v1.34.1" : "",
      ...(ci === 2 && mi === 3 ? { site: "eu/dk/borrowed" } : {}),
    })),
  }));
}

/** The overview computed the plain way: every machine and cluster in scope loaded and counted here. */
async function straightforward(db: PrismaClient, scopes: string[], now: Date): Promise<FleetOverview> {
  const [machines, clusters] = await Promise.all([
    db.machine.findMany({
      where: { AND: [machineScopeWhere(scopes), { removedAt: null }] },
      select: { ...machineRowSelect, clusterId: true, effectiveSite: true },
    }),
    db.cluster.findMany({ where: clusterScopeWhere(scopes) }),
  ]);
  const countBy = <T>(rows: T[], key: (r: T) => string[], health: (r: T) => Health) => {
    const out = new Map<string, Record<Health, number>>();
    for (const r of rows) {
      for (const k of key(r)) {
        const c = out.get(k) ?? emptyCounts();
        c[health(r)]++;
        out.set(k, c);
      }
    }
    return out;
  };
  const sum = (c: Record<Health, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const needing = (c: Record<Health, number>) => ATTENTION.reduce((a, h) => a + c[h], 0);
  const worstSeverity = (c: Record<Health, number>) =>
    Math.max(0, ...HEALTH_STATES.filter((h) => c[h] > 0).map((h) => SEVERITY[h]));
  const all =
    countBy(
      machines,
      () => ["all"],
      (m) => m.health,
    ).get("all") ?? emptyCounts();
  const clusterCounts =
    countBy(
      clusters,
      () => ["all"],
      (c) => c.health,
    ).get("all") ?? emptyCounts();
  const prefixes = (site: string) => {
    const p = site.split("/");
    return site === "" ? [""] : p.length > 1 ? [p[0] ?? "", `${p[0]}/${p[1]}`] : [site];
  };
  const asSite = ([site, counts]: [string, Record<Health, number>]) => ({
    site,
    depth: site ? site.split("/").length : 0,
    counts,
    total: sum(counts),
  });
  const byCluster = countBy(
    machines,
    (m) => [m.clusterId],
    (m) => m.health,
  );
  const versions = (key: (m: (typeof machines)[number]) => string) =>
    [
      ...countBy(
        machines,
        (m) => [key(m)],
        (m) => m.health,
      ),
    ]
      .map(([version, c]) => ({ version, machines: sum(c) }))
      .sort((a, b) => b.machines - a.machines || (a.version < b.version ? -1 : 1));
  return {
    machines: { total: sum(all), counts: all },
    clusters: { total: sum(clusterCounts), counts: clusterCounts },
    attention: {
      total: needing(all),
      rows: machines
        .filter((m) => ATTENTION.includes(m.health))
        .sort((a, b) => a.healthSince.getTime() - b.healthSince.getTime() || (a.id < b.id ? -1 : 1))
        .slice(0, 12)
        .map((m) => toMachineRow(m, now)),
    },
    sites: [
      ...countBy(
        machines,
        (m) => prefixes(m.effectiveSite),
        (m) => m.health,
      ),
    ]
      .map(asSite)
      .sort((a, b) => a.site.localeCompare(b.site)),
    sitesNeedingAttention: [
      ...countBy(
        machines,
        (m) => (m.effectiveSite ? [m.effectiveSite] : []),
        (m) => m.health,
      ),
    ]
      .filter(([, c]) => needing(c) > 0)
      .map(asSite)
      .sort(
        (a, b) =>
          worstSeverity(b.counts) - worstSeverity(a.counts) ||
          needing(b.counts) - needing(a.counts) ||
          a.site.localeCompare(b.site),
      )
      .slice(0, 10),
    worstClusters: clusters
      .filter((c) => c.health !== "healthy")
      .sort(
        (a, b) =>
          SEVERITY[b.health] - SEVERITY[a.health] || a.healthSince.getTime() - b.healthSince.getTime(),
      )
      .slice(0, 12)
      .map((c) => {
        const counts = byCluster.get(c.id) ?? emptyCounts();
        return {
          name: c.name,
          site: c.site,
          health: c.health,
          healthReason: c.healthReason,
          machines: sum(counts),
          attention: needing(counts),
        };
      }),
    talosVersions: versions((m) => m.talosVersion),
    kubernetesVersions: versions((m) => m.kubernetesVersion),
  };
}

let database: TestDatabase;
let ids: Map<string, string>;
beforeAll(async () => {
  database = await createTestDatabase();
  ids = await seedInventory(database.db, fleet());
  // Distinct times, so "longest first" has one right order.
  const clusters = await database.db.cluster.findMany({ orderBy: { name: "asc" } });
  for (const [i, c] of clusters.entries()) {
    await database.db.cluster.update({ where: { id: c.id }, data: { healthSince: minutesAgo(100 + i) } });
  }
});
afterAll(() => database.drop());

const id = (key: string) => ids.get(key) ?? "";

async function expectExact(label: string): Promise<void> {
  const { db } = database;
  const kept = await db.$queryRaw<unknown[]>`
    SELECT cluster_id, effective_site, health::text, talos_version, kubernetes_version, machines
    FROM machine_count ORDER BY 1, 2, 3, 4, 5`;
  const counted = await db.$queryRaw<unknown[]>`
    SELECT cluster_id, effective_site, health::text, talos_version, kubernetes_version, count(*)::int AS machines
    FROM machine WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;
  expect(kept, `machine_count after ${label}`).toEqual(counted);
  const now = new Date();
  for (const scopes of SCOPES) {
    expect(await getFleetOverview({ db, scopes, now }), `${label}, scopes ${JSON.stringify(scopes)}`).toEqual(
      await straightforward(db, scopes, now),
    );
  }
}

describe("fleet overview counts kept by the database", () => {
  it("equal a straightforward count of the machines, fleet-wide and in every scope", async () => {
    const o = await getFleetOverview({ db: database.db, scopes: [""] });
    expect(o.machines.total).toBe(32);
    expect(o.sites.map((s) => s.site)).toContain("eu/dk");
    await expectExact("seeding");
  });

  it("follow collector batches, membership changes, placement edits, removal and deletion", async () => {
    const { db } = database;
    // A collector flush: several machines of several clusters in one statement, health and versions.
    const batch = ["c0/c0-m0", "c0/c0-m1", "c3/c3-m2", "c6/c6-m3"].map(id);
    await db.$executeRaw`
      UPDATE machine m SET health = v.health::"Health", talos_version = v.talos, health_since = now(),
        updated_at = now()
      FROM unnest(${batch}::uuid[], ${["unreachable", "healthy", "degraded", "unhealthy"]}::text[],
                  ${["v1.12.0", "v1.12.0", "v1.11.5", ""]}::text[]) AS v(id, health, talos)
      WHERE m.id = v.id`;
    await expectExact("a collector batch");

    // Membership: one machine leaves, one joins (version not known yet).
    await syncMembers(db, (await db.cluster.findUniqueOrThrow({ where: { name: "c1" } })).id, [
      { hostname: "c1-m0", address: "10.0.1.1", role: "controlplane" },
      { hostname: "c1-m1", address: "10.0.1.2", role: "worker" },
      { hostname: "c1-m2", address: "10.0.1.3", role: "worker" },
      { hostname: "c1-new", address: "10.0.1.9", role: "worker" },
    ]);
    await expectExact("a membership change");

    // A cluster moves to another country and becomes flagship; a machine gets its own site.
    await editClusterPlacement({
      db,
      scopes: [""],
      name: "c2",
      site: "us/tx/austin",
      labels: { tier: "flagship" },
    });
    await editMachinesPlacement({ db, scopes: [""], ids: [id("c4/c4-m1")], site: "eu/dk/aarhus" });
    await expectExact("placement edits");

    // The machine that left comes back; a machine and a whole cluster are deleted.
    await syncMembers(db, (await db.cluster.findUniqueOrThrow({ where: { name: "c1" } })).id, [
      { hostname: "c1-m0", address: "10.0.1.1", role: "controlplane" },
      { hostname: "c1-m1", address: "10.0.1.2", role: "worker" },
      { hostname: "c1-m2", address: "10.0.1.3", role: "worker" },
      { hostname: "c1-m3", address: "10.0.1.4", role: "worker" },
    ]);
    await db.machine.delete({ where: { id: id("c5/c5-m0") } });
    await db.cluster.delete({ where: { name: "c7" } });
    await expectExact("restoring and deleting");
  });

  it("stay exact when many writers change the same clusters at once", async () => {
    const { db } = database;
    const machines = await db.machine.findMany({ where: { removedAt: null }, select: { id: true } });
    const c1 = (await db.cluster.findUniqueOrThrow({ where: { name: "c1" } })).id;
    // Collector-style writes of single machines, three rounds of every machine all in flight on the
    // pool's connections (every count row is upserted by several transactions at once), together with
    // a membership change, a cluster moving and a bulk placement edit touching the same clusters.
    await Promise.all([
      ...[0, 1, 2].flatMap((round) =>
        machines.map((m, i) =>
          db.machine.update({
            where: { id: m.id },
            data: { health: HEALTH_STATES[(i + round * 5) % HEALTH_STATES.length] },
          }),
        ),
      ),
      syncMembers(db, c1, [
        { hostname: "c1-m0", address: "10.0.1.1", role: "controlplane" },
        { hostname: "c1-m2", address: "10.0.1.3", role: "worker" },
        { hostname: "c1-late", address: "10.0.1.10", role: "worker" },
      ]),
      editClusterPlacement({ db, scopes: [""], name: "c0", site: "eu/se/malmo" }),
      editMachinesPlacement({
        db,
        scopes: [""],
        ids: [id("c3/c3-m0"), id("c6/c6-m1")],
        site: "us/ca/fresno",
      }),
    ]);
    await expectExact("concurrent writers");
  });

  it("are emptied with the machines", async () => {
    const { db } = database;
    await db.$executeRaw`TRUNCATE machine CASCADE`;
    await expectExact("truncating the machines");
    expect((await getFleetOverview({ db, scopes: [""] })).machines.total).toBe(0);
  });
});
