// What the rollout integration tests share: a time-compressed simulator fleet imported into a fresh
// database, the collector keeping its state current (fast intervals), and the users that plan and approve.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { Principal } from "../auth/principal";
import { type Collector, startCollector } from "../collector/collector";
import { eventually, seedFleet } from "../collector/test-fleet";
import { loadSecretKey, type SecretKey } from "../secrets/secret-key";
import { type RunningSimulator, startSimulator } from "../talos-sim";
import { createTestDatabase, type TestDatabase } from "../testing/database";

export interface RolloutTestFleet {
  database: TestDatabase;
  sim: RunningSimulator;
  secretKey: SecretKey;
  collector: Collector;
  stop(): Promise<void>;
}

export const testLog = pino({ level: process.env.TEST_LOG ?? "silent" });

export async function startRolloutTestFleet(opts: {
  clusters: number;
  /** Simulated seconds per real second: how fast installs and reboots go. */
  timeScale: number;
  users: Principal[];
}): Promise<RolloutTestFleet> {
  const database = await createTestDatabase();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-rollouts-"));
  const secretKey = await loadSecretKey({ dataDir: stateDir });
  const sim = await startSimulator({
    clusters: opts.clusters,
    nodesPerCluster: 5,
    port: 0,
    stateDir,
    timeScale: opts.timeScale,
    seed: "rollouts",
  });
  await seedFleet(database.db, sim, secretKey);
  const collector = startCollector({
    db: database.db,
    log: testLog,
    secretKey,
    leaseMs: 3_000,
    reconcileMs: 1_000,
    flushMs: 100,
    timeoutMs: 4_000,
    maxBackoffMs: 500,
    machinesRefreshMs: 1_000,
  });
  await eventually(
    async () => (await database.db.machine.count({ where: { health: "unknown" } })) === 0,
    30_000,
    "every machine collected",
  );
  // Users exist for the audit trail's sake and for four eyes by user id.
  for (const p of opts.users) await database.db.user.create({ data: { id: p.userId, username: p.username } });
  return {
    database,
    sim,
    secretKey,
    collector,
    async stop() {
      await collector.stop();
      await sim.stop();
      await database.drop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
