import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { machineScopeWhere } from "../../access/auth/scope-filter";
import type { PrismaClient } from "../../platform/db/client";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedViewsFleet } from "../../testing/views-fleet";
import type { Health } from "../health";
import { emptyCounts } from "../health/cluster-health";
import { getHealthHistory } from "./get-health-history";

const HOUR = 3_600_000;
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("health over time", () => {
  it("counts a machine only from when it joined, then by its recorded health changes", async () => {
    const { db } = database;
    // Just after a whole hour: the points are on the hours, a second away from "N hours ago".
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR + 1);
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const cluster = await db.cluster.create({ data: { name: "c", endpoints: [] } });
    const m = await db.machine.create({
      data: {
        clusterId: cluster.id,
        hostname: "m",
        address: "127.7.0.1",
        role: "worker",
        createdAt: hoursAgo(5.5),
        health: "unhealthy",
      },
    });
    await db.machineStateChange.createMany({
      data: [
        { machineId: m.id, at: hoursAgo(5.4), field: "health", fromValue: "unknown", toValue: "healthy" },
        { machineId: m.id, at: hoursAgo(2.5), field: "health", fromValue: "healthy", toValue: "unhealthy" },
      ],
    });
    const { points } = await getHealthHistory({ db, scopes: [""], range: "24h", now });
    const at = (h: number) =>
      points.find((p) => Math.abs(p.at.getTime() - hoursAgo(h).getTime()) < 1_000)?.counts;
    const total = (c: Record<string, number> | undefined) =>
      Object.values(c ?? {}).reduce((a, b) => a + b, 0);
    expect(total(at(10))).toBe(0);
    expect(at(4)).toMatchObject({ healthy: 1, unhealthy: 0, unknown: 0 });
    expect(at(1)).toMatchObject({ healthy: 0, unhealthy: 1, unknown: 0 });
    expect(points.at(-1)?.counts).toMatchObject({ unhealthy: 1 });
  });
});

/**
 * The history computed the plain way: every change in the window loaded and undone one at a time. The
 * points fall on whole hours (24 h) or quarter days (7 d) of absolute time, the last one before now first.
 */
async function undoneOneByOne(db: PrismaClient, scopes: string[], range: "24h" | "7d", now: Date) {
  const { step, buckets } = range === "24h" ? { step: HOUR, buckets: 24 } : { step: 6 * HOUR, buckets: 28 };
  const newest = Math.floor((now.getTime() - 1) / step) * step;
  /** edges[0] is now, edges[b] the start of bucket b. */
  const edges = [now.getTime(), ...Array.from({ length: buckets }, (_, i) => newest - i * step)];
  const since = new Date(edges[buckets] ?? 0);
  const inScope = { AND: [machineScopeWhere(scopes), { removedAt: null }] };
  const machines = await db.machine.findMany({ where: inScope, select: { health: true, createdAt: true } });
  const changes = await db.machineStateChange.findMany({
    where: { field: "health", at: { gt: since, lte: now }, machine: inScope },
    orderBy: [{ at: "desc" }, { id: "desc" }],
  });
  const counts = emptyCounts();
  for (const m of machines) counts[m.health]++;
  const points = [{ at: now, counts: { ...counts } }];
  for (let b = 1; b <= buckets; b++) {
    const lower = edges[b] ?? 0;
    const upper = edges[b - 1] ?? 0;
    for (const c of changes.filter((c) => c.at.getTime() > lower && c.at.getTime() <= upper)) {
      counts[c.toValue as Health] = Math.max(0, counts[c.toValue as Health] - 1);
      counts[c.fromValue as Health]++;
    }
    const joined = machines.filter((m) => m.createdAt.getTime() > lower && m.createdAt.getTime() <= upper);
    counts.unknown = Math.max(0, counts.unknown - joined.length);
    points.push({ at: new Date(lower), counts: { ...counts } });
  }
  return points.reverse();
}

/**
 * Histories over 7 days before `now` as the collector writes them: each change starts from the state the
 * one before it ended in, the newest ends in the current state. A change every few hours, some exactly on
 * a bucket's edge; `late` joined 30 hours before `now` and starts from unknown then.
 */
async function writeHistories(db: PrismaClient, now: Date, late: string): Promise<void> {
  const states: Health[] = ["healthy", "degraded", "unhealthy", "unreachable", "unknown"];
  const joined = new Date(now.getTime() - 30 * HOUR);
  await db.machine.update({ where: { id: late }, data: { createdAt: joined } });
  const machines = await db.machine.findMany({ select: { id: true, health: true } });
  const data = machines.flatMap((m, i) => {
    // Newest first: 2 to 5 hours apart, every fourth exactly on a whole hour (a bucket's edge).
    const times: Date[] = [];
    let back = 0;
    for (let k = 0; k < 40; k++) {
      back += 2 * HOUR + ((k * 37 + i * 13) % 180) * 60_000;
      if (k % 4 === 0) back = now.getTime() - Math.floor((now.getTime() - back) / HOUR) * HOUR;
      const at = new Date(now.getTime() - back);
      if (m.id === late && at <= joined) break;
      times.push(at);
    }
    let state: Health = m.health;
    return times.map((at, k) => {
      const first = m.id === late && k === times.length - 1;
      const from = first ? "unknown" : (states.find((h, j) => h !== state && j >= (k + i) % 3) ?? "healthy");
      const row = { machineId: m.id, at, field: "health", fromValue: from, toValue: state };
      state = from;
      return row;
    });
  });
  await db.machineStateChange.deleteMany({});
  await db.machineStateChange.createMany({ data });
}

describe("health over time, counted by the database", () => {
  it("equals undoing every change one by one, fleet-wide and in every scope, edges included", async () => {
    const db = database.db;
    const ids = await seedViewsFleet(db);
    const late = ids.get("aarhus/aarhus-w-2") ?? "";
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    // Now, a now exactly on a quarter day's edge (its newest bucket is then a whole step long), and nows
    // at other offsets within the hour and the quarter day, so the run does not depend on the clock.
    const onEdge = new Date(Math.floor(now.getTime() / (6 * HOUR)) * 6 * HOUR);
    const others = [1, 2, 3, 4].map((k) => new Date(now.getTime() - k * 97 * 60_000 - k * 1_000));
    for (const at of [now, onEdge, ...others]) {
      await db.machine.updateMany({ data: { removedAt: null } });
      await writeHistories(db, at, late);
      // A removed machine's history no longer counts.
      await db.machine.update({ where: { id: ids.get("lund/lund-cp-1") ?? "" }, data: { removedAt: at } });
      for (const scopes of [[""], ["site:eu/dk/*"], ["labels:group=nordics"], []]) {
        for (const range of ["24h", "7d"] as const) {
          const { points } = await getHealthHistory({ db, scopes, range, now: at });
          expect(points, `${range} for ${JSON.stringify(scopes)} at ${at.toISOString()}`).toEqual(
            await undoneOneByOne(db, scopes, range, at),
          );
        }
      }
    }
  });
});
