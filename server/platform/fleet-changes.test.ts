// Fleet changes against a real Postgres, through the tRPC subscription a browser tab holds: a machine's
// state written the way the collector writes it reaches a viewer within 2 s; a burst of writes arrives
// as a few ticks, at most one a second, the last one after the last write; bookkeeping-only writes send
// nothing; a viewer who leaves is unsubscribed; a killed LISTEN connection comes back and ticks resume.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../api/app-router";
import { createContextInner } from "../api/trpc/context";
import type { LiveMachine, StateChange } from "../features/collector/machine-state";
import { liveMachineFrom, storedMachineSelect } from "../features/collector/stored-machine";
import { BatchWriter } from "../features/collector/writer";
import type { FleetChangesTick } from "../features/fleet/follow-fleet-changes";
import type { Health } from "../features/health";
import type { Grant } from "../model/principal";
import { eventually } from "../testing/collector-fleet";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { principalWith } from "../testing/principals";
import { seedInventory } from "../testing/seed-inventory";
import { closeFleetChanges, FLEET_CHANGES_TABLES, fleetChanges } from "./fleet-changes";

let database: TestDatabase;
let writer: BatchWriter;
let machineIds: Map<string, string>;
const log = pino({ level: process.env.TEST_LOG ?? "silent" });

const machine = (hostname: string) => machineIds.get(`fc-aarhus/${hostname}`) as string;

/** The machine as the collector holds it, read back from its row. */
async function liveMachine(id: string): Promise<LiveMachine> {
  return liveMachineFrom(
    await database.db.machine.findUniqueOrThrow({ where: { id }, select: storedMachineSelect }),
  );
}

/** Writes a machine's new health (and its history row) through the collector's batch writer. */
async function writeHealth(id: string, health: Health, reason: string): Promise<void> {
  const m = await liveMachine(id);
  const now = new Date();
  const changes: StateChange[] =
    m.health === health
      ? []
      : [{ machineId: id, at: now, field: "health", fromValue: m.health, toValue: health, reason }];
  Object.assign(m, { health, healthReason: reason, healthSince: now, lastSeenAt: now });
  writer.markDirty(m, changes);
  await writer.flush();
  const stored = await database.db.machine.findUniqueOrThrow({
    where: { id },
    select: { healthReason: true },
  });
  expect(stored.healthReason, "the writer stored the state").toBe(reason);
}

/** Only "last seen" moves, as when the collector hears from a machine whose state is unchanged. */
async function writeSeen(id: string): Promise<void> {
  const m = await liveMachine(id);
  m.lastSeenAt = new Date(Date.now() + 1_000);
  writer.markDirty(m, []);
  await writer.flush();
}

interface Received extends FleetChangesTick {
  at: number;
}

/** A viewer's open subscription, collecting ticks with the time each arrived. */
async function subscribe(grants: (Grant | Grant["role"])[] = ["viewer"]) {
  const ctl = new AbortController();
  const caller = createCaller(
    createContextInner({ db: database.db, principal: principalWith("vera", ...grants) }),
    { signal: ctl.signal },
  );
  const stream = await caller.fleet.changes();
  const ticks: Received[] = [];
  const before = fleetChanges(database.url).subscriberCount;
  const done = (async () => {
    for await (const t of stream) ticks.push({ ...t, at: performance.now() });
  })();
  await eventually(
    async () => fleetChanges(database.url).subscriberCount > before && fleetChanges(database.url).listening,
    10_000,
    "subscribed and listening",
  );
  // Past the tick a (re)connect sends and the one-second spacing after it: from here on, ticks are ours.
  await new Promise((r) => setTimeout(r, 1_200));
  ticks.length = 0;
  return { ticks, done, stop: () => ctl.abort() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  database = await createTestDatabase();
  machineIds = await seedInventory(database.db, [
    {
      name: "fc-aarhus",
      site: "eu/dk/aarhus-0042",
      machines: [{ hostname: "fc-cp-1" }, { hostname: "fc-w-1" }, { hostname: "fc-w-2" }],
    },
  ]);
  // The writer writes only for clusters this instance holds the lease of, as in the collector.
  const instanceId = randomUUID();
  await database.db.collectorInstance.create({ data: { id: instanceId, hostname: "test" } });
  const cluster = await database.db.cluster.findUniqueOrThrow({ where: { name: "fc-aarhus" } });
  await database.db.clusterLease.create({
    data: { clusterId: cluster.id, instanceId, expiresAt: new Date(Date.now() + 3_600_000) },
  });
  writer = new BatchWriter(database.url, instanceId, log);
});

afterAll(async () => {
  await closeFleetChanges();
  await writer?.close();
  await database?.drop();
});

describe("fleet changes", () => {
  it("a machine's new state, written as the collector writes it, reaches a viewer within 2 s", async () => {
    const viewer = await subscribe([{ role: "viewer", scope: "site:us/*" }]);
    try {
      const written = performance.now();
      await writeHealth(machine("fc-w-1"), "unhealthy", "kubelet failed");
      await eventually(async () => viewer.ticks.length > 0, 5_000, "a tick");
      const [tick] = viewer.ticks as [Received];
      expect(tick.at - written).toBeLessThan(2_000);
      // Tables only, never rows: a viewer of another site learns nothing but "look again".
      expect(Object.keys(tick).sort()).toEqual(["at", "tables"]);
      expect(tick.tables).toContain("machine");
      await writeHealth(machine("fc-w-1"), "healthy", "");
    } finally {
      viewer.stop();
      await viewer.done;
    }
  });

  it("sends nothing when a write only refreshes bookkeeping ('last seen', discovery time)", async () => {
    const viewer = await subscribe();
    try {
      await writeSeen(machine("fc-w-2"));
      await database.db.cluster.update({ where: { name: "fc-aarhus" }, data: { discoveredAt: new Date() } });
      await database.db.machine.updateMany({ where: { hostname: "nobody" }, data: { health: "unknown" } });
      await sleep(1_500);
      expect(viewer.ticks).toEqual([]);
      // A rollout lock and a cluster's health are what pages show: they tick.
      await database.db.rolloutLock.create({
        data: {
          clusterId: (await liveMachine(machine("fc-w-2"))).clusterId,
          reason: "test",
          createdBy: "vera",
        },
      });
      await database.db.cluster.update({ where: { name: "fc-aarhus" }, data: { healthReason: "test" } });
      await eventually(
        async () => new Set(viewer.ticks.flatMap((t) => t.tables)).size >= 2,
        5_000,
        "ticks for the lock and the cluster",
      );
      expect([...new Set(viewer.ticks.flatMap((t) => t.tables))].sort()).toEqual(["cluster", "rollout_lock"]);
    } finally {
      viewer.stop();
      await viewer.done;
    }
  });

  it("gathers a burst of 100 writes into a few ticks, at most one a second, the last after the last write", async () => {
    const viewer = await subscribe();
    try {
      const start = performance.now();
      let lastWrite = start;
      for (let i = 0; i < 100; i++) {
        await writeHealth(machine("fc-w-2"), i % 2 ? "healthy" : "degraded", `burst ${i}`);
        lastWrite = performance.now();
      }
      await sleep(1_500);
      const ticks = viewer.ticks;
      const seconds = (lastWrite - start) / 1_000;
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      expect(ticks.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
      // The first change went out at once, not a second later.
      expect((ticks[0] as Received).at - start).toBeLessThan(1_000);
      for (let i = 1; i < ticks.length; i++) {
        expect((ticks[i] as Received).at - (ticks[i - 1] as Received).at).toBeGreaterThan(900);
      }
      // Nothing is lost at the end of a burst: a tick came after the last write was stored.
      expect((ticks.at(-1) as Received).at).toBeGreaterThan(lastWrite);
    } finally {
      viewer.stop();
      await viewer.done;
    }
  });

  it("unsubscribes a viewer whose tab closed (the signal aborted)", async () => {
    const changes = fleetChanges(database.url);
    const viewer = await subscribe();
    const during = changes.subscriberCount;
    viewer.stop();
    await viewer.done;
    expect(changes.subscriberCount).toBe(during - 1);
  });

  it("listens again after its connection is killed, and ticks resume", async () => {
    const viewer = await subscribe();
    const admin = await database.db.$queryRaw<Array<{ killed: boolean }>>`
      SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE application_name = 'minos fleet changes' AND datname = current_database()`;
    try {
      expect(admin.map((a) => a.killed)).toEqual([true]);
      // Back after a short backoff; what changed meanwhile is announced as "anything may have".
      await eventually(async () => viewer.ticks.length > 0, 10_000, "the reconnect's tick");
      expect(fleetChanges(database.url).listening).toBe(true);
      expect(viewer.ticks[0]?.tables).toEqual([...FLEET_CHANGES_TABLES]);
      await sleep(1_100);
      viewer.ticks.length = 0;
      const written = performance.now();
      await writeHealth(machine("fc-cp-1"), "degraded", "after the reconnect");
      await eventually(async () => viewer.ticks.length > 0, 5_000, "a tick after the reconnect");
      expect((viewer.ticks[0] as Received).at - written).toBeLessThan(2_000);
    } finally {
      viewer.stop();
      await viewer.done;
    }
  });

  it("is refused without a signed-in user", async () => {
    const caller = createCaller(createContextInner({ db: database.db, principal: null }));
    await expect(caller.fleet.changes()).rejects.toThrow("Sign in to continue.");
  });
});
