// One stream per machine, either way: with events on, the Events stream alone keeps stage and readiness
// current (a failing service shows within seconds, far inside the reconcile interval) and its events are
// stored; with events off, the MachineStatus watch does the same and nothing is stored.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/sim";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { clearFaults, eventually, injectFault, seedFleet } from "../../testing/collector-fleet";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { startCollector } from "./collector";

let database: TestDatabase;
let sim: RunningSimulator;
let stateDir: string;
const log = pino({ level: process.env.TEST_LOG ?? "silent" });

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-streams-"));
  sim = await startSimulator({
    clusters: 1,
    nodesPerCluster: 4,
    port: 0,
    stateDir,
    timeScale: 50,
    seed: "streams",
  });
  await seedFleet(database.db, sim, await loadSecretKey({ dataDir: stateDir }));
});

afterAll(async () => {
  await sim?.stop();
  await database?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

describe.each([
  { events: true, stream: "the Events stream" },
  { events: false, stream: "the MachineStatus watch" },
])("with events $events", { timeout: 60_000 }, ({ events, stream }) => {
  it(`follows readiness through ${stream} alone`, async () => {
    const { db } = database;
    await db.machineEvent.deleteMany();
    const secretKey = await loadSecretKey({ dataDir: stateDir });
    // A reconcile far away: only the stream can bring the failure in time.
    const collector = startCollector({
      db,
      log,
      secretKey,
      events,
      leaseMs: 3_000,
      reconcileMs: 600_000,
      flushMs: 200,
      machinesRefreshMs: 1_000,
    });
    const target = sim.clusters[0]?.nodes.find((n) => n.role === "worker");
    if (!target) throw new Error("no worker");
    try {
      await eventually(
        async () => {
          const m = await db.machine.findFirstOrThrow({ where: { hostname: target.hostname } });
          return m.talosVersion !== "" && m.health === "healthy";
        },
        30_000,
        "collected and healthy",
      );
      await injectFault(sim, target.address, { kind: "service", service: "kubelet", mode: "failed" });
      const sick = await eventually(
        async () => {
          const m = await db.machine.findFirstOrThrow({ where: { hostname: target.hostname } });
          return !m.ready && m;
        },
        5_000,
        "not ready",
      );
      expect(JSON.stringify(sick.unmetConditions)).toContain("kubelet not running");
      const stored = await db.machineEvent.count();
      if (events) expect(stored).toBeGreaterThan(0);
      else expect(stored).toBe(0);
    } finally {
      await clearFaults(sim, target.address, "service");
      await collector.stop();
    }
  });
});
