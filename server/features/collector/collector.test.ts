// The collector against the simulator over real mTLS and a real Postgres: machines turn healthy, injected
// faults show as clear states with reasons and history, and the database going away is survived.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/sim";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { clearFaults, eventually, injectFault, seedFleet } from "../../testing/collector-fleet";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { type Collector, startCollector } from "./collector";

let database: TestDatabase;
let sim: RunningSimulator;
let stateDir: string;
let collector: Collector;
const log = pino({ level: process.env.TEST_LOG ?? "silent" });

const machine = (hostname: string) => database.db.machine.findFirstOrThrow({ where: { hostname } });

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-collector-"));
  const secretKey = await loadSecretKey({ dataDir: stateDir });
  sim = await startSimulator({
    clusters: 2,
    nodesPerCluster: 4,
    port: 0,
    stateDir,
    timeScale: 50,
    seed: "collector",
  });
  await seedFleet(database.db, sim, secretKey);
  collector = startCollector({
    db: database.db,
    log,
    secretKey,
    leaseMs: 3_000,
    reconcileMs: 2_000,
    flushMs: 200,
    timeoutMs: 4_000,
    maxBackoffMs: 1_000,
    machinesRefreshMs: 1_000,
  });
});

afterAll(async () => {
  await collector?.stop();
  await sim?.stop();
  await database?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("collector", { timeout: 60_000 }, () => {
  it("collects every machine: versions, stage, services, boot id, health, and cluster health", async () => {
    const rows = await eventually(
      async () => {
        const all = await database.db.machine.findMany();
        return all.every((m) => m.lastSeenAt && m.bootId && m.talosVersion && m.health !== "unknown") && all;
      },
      20_000,
      "every machine collected",
    );
    expect(rows).toHaveLength(8);
    for (const m of rows) {
      expect(m.reachable).toBe(true);
      expect(m.stage).toBe("running");
      expect(m.kubernetesVersion).toMatch(/^v1\.\d+\.\d+/);
      expect((m.services as unknown[]).length).toBeGreaterThan(3);
    }
    const clusters = await eventually(
      async () => {
        const all = await database.db.cluster.findMany();
        return all.every((c) => c.health !== "unknown") && all;
      },
      10_000,
      "cluster health",
    );
    expect(
      clusters
        .map((c) => c.health)
        .every((h) => ["healthy", "degraded", "unhealthy", "upgrading"].includes(h)),
    ).toBe(true);
    const lease = await database.db.clusterLease.findMany();
    expect(lease.every((l) => l.instanceId === collector.instanceId)).toBe(true);
    expect(lease).toHaveLength(2);
  });

  it("shows a failing service as unhealthy with the service named, then healthy again", async () => {
    const target = sim.clusters[0]?.nodes.find((n) => n.role === "worker");
    if (!target) throw new Error("no worker");
    await eventually(
      async () => (await machine(target.hostname)).health === "healthy",
      20_000,
      "healthy first",
    );
    await injectFault(sim, target.address, { kind: "service", service: "kubelet", mode: "failed" });
    const sick = await eventually(
      async () => {
        const m = await machine(target.hostname);
        return m.health === "unhealthy" && m;
      },
      10_000,
      "unhealthy",
    );
    expect(sick.healthReason).toContain("kubelet");
    await clearFaults(sim, target.address, "service");
    await eventually(
      async () => (await machine(target.hostname)).health === "healthy",
      10_000,
      "healthy again",
    );
    const history = await database.db.machineStateChange.findMany({
      where: { machineId: sick.id, field: "health" },
      orderBy: { id: "asc" },
    });
    expect(history.map((h) => h.toValue)).toEqual(expect.arrayContaining(["unhealthy", "healthy"]));
    expect(history.find((h) => h.toValue === "unhealthy")?.reason).toContain("kubelet");
  });

  it("marks an unreachable machine unreachable with the reason, and healthy once it answers", async () => {
    const target = sim.clusters[1]?.nodes.find((n) => n.role === "worker");
    if (!target) throw new Error("no worker");
    await eventually(
      async () => (await machine(target.hostname)).health === "healthy",
      20_000,
      "healthy first",
    );
    await injectFault(sim, target.address, { kind: "unreachable" });
    const away = await eventually(
      async () => {
        const m = await machine(target.hostname);
        return m.health === "unreachable" && m;
      },
      15_000,
      "unreachable",
    );
    expect(away.reachable).toBe(false);
    expect(away.healthReason).toMatch(/last seen/);
    const cluster = await eventually(
      async () => {
        const c = await database.db.cluster.findUniqueOrThrow({ where: { id: away.clusterId } });
        return c.health === "degraded" && c;
      },
      5_000,
      "cluster degraded",
    );
    expect(cluster.healthReason).toContain(`${target.hostname} unreachable`);
    await clearFaults(sim, target.address);
    await eventually(async () => (await machine(target.hostname)).health === "healthy", 10_000, "back");
    const reach = await database.db.machineStateChange.findMany({
      where: { machineId: away.id, field: "reachable" },
      orderBy: { id: "asc" },
    });
    expect(reach.map((r) => r.toValue).slice(-2)).toEqual(["false", "true"]);
  });

  it("recovers when the database drops every connection", async () => {
    const target = sim.clusters[0]?.nodes.at(-1);
    if (!target) throw new Error("no node");
    await eventually(
      async () => (await machine(target.hostname)).health === "healthy",
      20_000,
      "healthy first",
    );
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const dbName = new URL(database.url).pathname.slice(1);
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [dbName],
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    await admin.end();
    await injectFault(sim, target.address, { kind: "service", service: "kubelet", mode: "failed" });
    await eventually(
      async () => (await machine(target.hostname)).health === "unhealthy",
      10_000,
      "written after drop",
    );
    await clearFaults(sim, target.address);
    await eventually(
      async () => (await machine(target.hostname)).health === "healthy",
      10_000,
      "healthy again",
    );
  });

  it("shows a slow machine as degraded, saying it answers slowly", async () => {
    const target = sim.clusters[1]?.nodes.at(-1);
    if (!target) throw new Error("no node");
    await eventually(
      async () => (await machine(target.hostname)).health === "healthy",
      20_000,
      "healthy first",
    );
    await injectFault(sim, target.address, { kind: "slow", delayMs: 2_300 });
    const slow = await eventually(
      async () => {
        const m = await machine(target.hostname);
        return m.health === "degraded" && m;
      },
      25_000,
      "degraded",
    );
    // The time it took, at least the injected delay (more on a loaded machine).
    const took = /answers slowly \((\d+\.\d) s\)/.exec(slow.healthReason)?.[1];
    expect(Number(took)).toBeGreaterThanOrEqual(2.2);
    await clearFaults(sim, target.address);
    await eventually(async () => (await machine(target.hostname)).health === "healthy", 15_000, "fast again");
  });

  it("stops collecting a machine removed from the inventory, and collects it again when it is back", async () => {
    const target = sim.clusters[1]?.nodes.find((n) => n.role === "worker");
    if (!target) throw new Error("no worker");
    const row = await eventually(
      async () => {
        const m = await machine(target.hostname);
        return m.health === "healthy" && m;
      },
      20_000,
      "healthy first",
    );
    await database.db.machine.update({ where: { id: row.id }, data: { removedAt: new Date() } });
    // Once the inventory check sees it gone, nothing updates the row: its last-seen time stands still
    // for longer than two reconcile rounds.
    let last = { seen: 0, since: Date.now() };
    const stopped = await eventually(
      async () => {
        const seen = (await machine(target.hostname)).lastSeenAt?.getTime() ?? 0;
        if (seen !== last.seen) last = { seen, since: Date.now() };
        return Date.now() - last.since > 5_000 && last.seen;
      },
      30_000,
      "collection stopped",
    );
    await database.db.machine.update({ where: { id: row.id }, data: { removedAt: null } });
    await eventually(
      async () => ((await machine(target.hostname)).lastSeenAt?.getTime() ?? 0) > stopped,
      20_000,
      "collected again",
    );
  });

  it("shows expired credentials on every machine they serve, and recovers when they are replaced", async () => {
    // The simulator's clusters share one CA, and any credential of the CA may serve a cluster: expire them all.
    const credentials = await database.db.talosCredential.findMany();
    await database.db.talosCredential.updateMany({
      data: { certNotAfter: new Date(Date.now() - 86_400_000) },
    });
    const rows = await eventually(
      async () => {
        const all = await database.db.machine.findMany();
        return all.every((m) => m.health === "unreachable") && all;
      },
      20_000,
      "every machine unreachable",
    );
    for (const m of rows) expect(m.lastError).toMatch(/expired on/);
    for (const c of credentials) {
      await database.db.talosCredential.update({
        where: { id: c.id },
        data: { certNotAfter: c.certNotAfter },
      });
    }
    await eventually(
      async () => (await database.db.machine.findMany()).every((m) => m.reachable),
      15_000,
      "reachable again",
    );
  });
});
