// Several collectors on one database: clusters are split between them, never held by two, and taken over
// within the lease time when an instance stops (in process) or is killed (separate processes, kill -9).
// Renewals run on a connection of their own, so a collector whose write pool is saturated keeps its clusters.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/sim";
import { loadSecretKey, type SecretKey } from "../../platform/secrets/secret-key";
import { eventually, seedFleet } from "../../testing/collector-fleet";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { startCollector } from "./collector";

let database: TestDatabase;
let sim: RunningSimulator;
let stateDir: string;
let secretKey: SecretKey;
const log = pino({ level: process.env.TEST_LOG ?? "silent" });
const LEASE_MS = 2_000;

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-leases-"));
  secretKey = await loadSecretKey({ dataDir: stateDir });
  sim = await startSimulator({
    clusters: 4,
    nodesPerCluster: 2,
    port: 0,
    stateDir,
    timeScale: 50,
    seed: "leases",
  });
  await seedFleet(database.db, sim, secretKey);
});

afterAll(async () => {
  await sim?.stop();
  await database?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

const leasesBy = async () => {
  const rows = await database.db.clusterLease.findMany({ where: { expiresAt: { gt: new Date() } } });
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.instanceId, (by.get(r.instanceId) ?? 0) + 1);
  return { rows, by };
};

describe("leases between instances", { timeout: 60_000 }, () => {
  it("splits clusters between two collectors and hands them over when one stops", async () => {
    const opts = { db: database.db, log, secretKey, leaseMs: LEASE_MS, reconcileMs: 2_000, flushMs: 200 };
    const a = startCollector(opts);
    const b = startCollector(opts);
    try {
      await eventually(
        async () => {
          const { rows, by } = await leasesBy();
          return rows.length === 4 && by.get(a.instanceId) === 2 && by.get(b.instanceId) === 2;
        },
        10_000,
        "2 clusters each",
      );
      // Each holds only what the database says it holds: no cluster is collected by both.
      const both = a.held().filter((id) => b.held().includes(id));
      expect(both).toEqual([]);
      await a.stop();
      const started = Date.now();
      await eventually(async () => (await leasesBy()).by.get(b.instanceId) === 4, 10_000, "b takes all");
      expect(Date.now() - started).toBeLessThan(LEASE_MS * 2);
      await eventually(async () => b.held().length === 4, 5_000, "b collects all");
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("keeps renewing its leases while every connection of the write pool is busy", async () => {
    await database.db.clusterLease.deleteMany();
    await database.db.collectorInstance.deleteMany();
    const c = startCollector({ db: database.db, log, secretKey, leaseMs: LEASE_MS, reconcileMs: 2_000 });
    // The database as another client sees it: the collector's pool is about to be busy.
    const observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
    try {
      await eventually(async () => c.held().length === 4, 10_000, "all four clusters held");
      // Every connection of the pool the collector writes through (10) sleeps three lease lengths; more wait.
      const busyMs = LEASE_MS * 3;
      const busy = Promise.allSettled(
        Array.from({ length: 12 }, () => database.db.$executeRawUnsafe(`SELECT pg_sleep(${busyMs / 1000})`)),
      );
      const until = Date.now() + busyMs - 500;
      let checks = 0;
      while (Date.now() < until) {
        const { rows } = await observer.query<{ live: number; renewed: boolean }>(
          `SELECT count(*)::int AS live,
                  bool_and(expires_at > now() + $2::interval) AS renewed
           FROM cluster_lease WHERE instance_id = $1::uuid AND expires_at > now()`,
          [c.instanceId, `${Math.round(LEASE_MS / 4)} milliseconds`],
        );
        // Held here and in the database, with more than a quarter of a lease left: renewals keep coming.
        expect(c.held()).toHaveLength(4);
        expect(rows[0]).toEqual({ live: 4, renewed: true });
        checks++;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(checks).toBeGreaterThan(5);
      // End the sleeps (and those queued behind them) rather than wait for them.
      let settled = false;
      void busy.then(() => {
        settled = true;
      });
      while (!settled) {
        await observer.query(
          `SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()`,
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await observer.end();
      await c.stop();
    }
  });

  it("takes over the clusters of a killed process (kill -9) within the lease time", async () => {
    await database.db.clusterLease.deleteMany();
    await database.db.collectorInstance.deleteMany();
    const children: ChildProcess[] = [];
    const spawnCollector = () =>
      new Promise<{ child: ChildProcess; instanceId: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", path.join(import.meta.dirname, "run-collector.ts")],
          {
            env: {
              ...process.env,
              DATABASE_URL: database.url,
              MINOS_DATA_DIR: stateDir,
              MINOS_COLLECTOR_LEASE_MS: String(LEASE_MS),
              MINOS_COLLECTOR_RECONCILE_MS: "2000",
              LOG_LEVEL: "warn",
            },
            stdio: ["ignore", "pipe", "inherit"],
          },
        );
        children.push(child);
        let out = "";
        child.stdout?.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /COLLECTOR_READY (\{.*\})/.exec(out);
          if (m?.[1]) resolve({ child, instanceId: (JSON.parse(m[1]) as { instanceId: string }).instanceId });
        });
        child.once("exit", (code) => reject(new Error(`collector exited early with ${code}`)));
      });
    try {
      const [one, two] = await Promise.all([spawnCollector(), spawnCollector()]);
      await eventually(
        async () => {
          const { rows, by } = await leasesBy();
          return rows.length === 4 && by.get(one.instanceId) === 2 && by.get(two.instanceId) === 2;
        },
        20_000,
        "both processes collecting",
      );
      // Both processes write machine state for their own clusters.
      await eventually(
        async () => (await database.db.machine.count({ where: { lastSeenAt: null } })) === 0,
        20_000,
        "every machine seen",
      );
      one.child.kill("SIGKILL");
      const killedAt = Date.now();
      await eventually(async () => (await leasesBy()).by.get(two.instanceId) === 4, 15_000, "takeover");
      const takeoverMs = Date.now() - killedAt;
      expect(takeoverMs).toBeLessThan(LEASE_MS + 2_000);
      // The survivor keeps the taken-over machines fresh.
      const since = new Date();
      await eventually(
        async () => (await database.db.machine.count({ where: { lastSeenAt: { lt: since } } })) === 0,
        15_000,
        "all machines refreshed by the survivor",
      );
    } finally {
      for (const c of children) c.kill("SIGKILL");
    }
  });
});
