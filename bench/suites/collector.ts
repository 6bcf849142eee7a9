// State collection at fleet scale: the simulator (its own process) serves 10,000 machines in 1,000 clusters;
// the collector runs in this process against a real Postgres. Measures the first full collection, the time
// from a change on a machine to its row in the database (p50/p95), and the collector's CPU and memory.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { startCollector } from "../../server/collector";
import { clearFaults, injectFault, type SimFleetView, seedFleet } from "../../server/collector/test-fleet";
import { createDb } from "../../server/db/client";
import { applyMigrations } from "../../server/db/migrate";
import { loadSecretKey } from "../../server/secrets/secret-key";
import { startTempPostgres } from "../../server/testing/temp-postgres";
import type { BenchMetric, BenchSuite } from "../suite";

/** 1,000 clusters of 10 = 10,000 machines; BENCH_COLLECTOR_CLUSTERS=100 measures 1,000. */
const CLUSTERS = Number(process.env.BENCH_COLLECTOR_CLUSTERS ?? 1000);
const NODES_PER_CLUSTER = 10;
const SAMPLES = 100;
const STEADY_WINDOW_MS = 30_000;
const ROOT = path.resolve(import.meta.dirname, "../..");

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function startSimChild(stateDir: string) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "server/talos-sim/main.ts",
      "--clusters",
      String(CLUSTERS),
      "--nodes-per-cluster",
      String(NODES_PER_CLUSTER),
      "--port",
      "0",
      "--state-dir",
      stateDir,
      "--seed",
      "bench-collector",
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const ready = await new Promise<{ controlUrl: string; talosconfig: string }>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("simulator did not start within 240 s")), 240_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("SIM_READY "));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice("SIM_READY ".length)));
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}: ${out.slice(-500)}`)));
  });
  return { child, ...ready };
}

const suite: BenchSuite = {
  name: "collector",
  description: `State collection: ${CLUSTERS * NODES_PER_CLUSTER} simulated machines in ${CLUSTERS} clusters → Postgres`,
  async run(): Promise<BenchMetric[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-collector-"));
    const pg = await startTempPostgres();
    const sim = await startSimChild(path.join(dir, "sim"));
    const db = createDb(pg.url);
    const params = { clusters: CLUSTERS, machines: CLUSTERS * NODES_PER_CLUSTER };
    try {
      await applyMigrations(pg.url);
      const secretKey = await loadSecretKey({ dataDir: dir });
      const fleet = (await (await fetch(`${sim.controlUrl}/fleet`)).json()) as SimFleetView;
      await seedFleet(
        db,
        { talosconfig: await readFile(sim.talosconfig, "utf8"), clusters: fleet.clusters },
        secretKey,
      );

      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const collector = startCollector({ db, log: pino({ level: "warn" }), secretKey });
      const machines = CLUSTERS * NODES_PER_CLUSTER;
      let firstFullMs = Number.NaN;
      while (performance.now() - t0 < 300_000) {
        const seen = await db.machine.count({
          where: { lastSeenAt: { not: null }, talosVersion: { not: "" } },
        });
        if (seen === machines) {
          firstFullMs = performance.now() - t0;
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const cpuStart = process.cpuUsage(cpu0);
      console.log(`  first full collection: ${(firstFullMs / 1000).toFixed(1)} s`);

      // Steady state: CPU over a window with nothing happening but watches, events and reconciles.
      const cpuA = process.cpuUsage();
      await new Promise((r) => setTimeout(r, STEADY_WINDOW_MS));
      const cpuB = process.cpuUsage(cpuA);
      const steadyCores = (cpuB.user + cpuB.system) / 1000 / STEADY_WINDOW_MS;
      const mem = process.memoryUsage();

      // Change latency: fail kubelet on a machine, time until its row says unhealthy; one every 100 ms.
      const rows = await db.machine.findMany({
        where: { role: "worker" },
        select: { id: true, address: true },
      });
      const picks = Array.from(
        { length: SAMPLES },
        (_, i) => rows[Math.floor((i * rows.length) / SAMPLES)],
      ).filter((r): r is { id: string; address: string } => r !== undefined);
      const injectedAt = new Map<string, number>();
      const latencies: number[] = [];
      const poller = (async () => {
        const until = performance.now() + 60_000;
        while (latencies.length < picks.length && performance.now() < until) {
          const waiting = [...injectedAt.keys()];
          if (waiting.length) {
            const found = await db.machine.findMany({
              where: { id: { in: waiting }, health: "unhealthy" },
              select: { id: true },
            });
            const now = performance.now();
            for (const f of found) {
              const at = injectedAt.get(f.id);
              if (at === undefined) continue;
              latencies.push(now - at);
              injectedAt.delete(f.id);
            }
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      for (const p of picks) {
        const before = performance.now();
        // An overloaded simulator may drop a control request: that sample is skipped, not the run.
        const ok = await injectFault(sim, p.address, {
          kind: "service",
          service: "kubelet",
          mode: "failed",
        }).then(
          () => true,
          () => false,
        );
        if (ok) injectedAt.set(p.id, before);
        await new Promise((r) => setTimeout(r, 100));
      }
      await poller;
      for (const p of picks) await clearFaults(sim, p.address).catch(() => {});
      latencies.sort((a, b) => a - b);
      const memAfter = process.memoryUsage();
      await collector.stop();
      return [
        {
          name: "collector.first_full_collection_s",
          value: +(firstFullMs / 1000).toFixed(1),
          unit: "s",
          params,
        },
        {
          name: "collector.first_full_collection_cpu_cores",
          value: +((cpuStart.user + cpuStart.system) / 1000 / firstFullMs).toFixed(2),
          unit: "cores",
          params,
        },
        {
          name: "collector.change_to_db_p50_ms",
          value: Math.round(quantile(latencies, 0.5)),
          unit: "ms",
          params: { ...params, samples: latencies.length },
        },
        {
          name: "collector.change_to_db_p95_ms",
          value: Math.round(quantile(latencies, 0.95)),
          unit: "ms",
          params: { ...params, samples: latencies.length },
        },
        { name: "collector.changes_seen", value: latencies.length, unit: `of ${picks.length}`, params },
        { name: "collector.steady_cpu_cores", value: +steadyCores.toFixed(2), unit: "cores", params },
        {
          name: "collector.rss_mib",
          value: Math.round(Math.max(mem.rss, memAfter.rss) / 2 ** 20),
          unit: "MiB",
          params,
        },
        { name: "collector.heap_used_mib", value: Math.round(mem.heapUsed / 2 ** 20), unit: "MiB", params },
      ];
    } finally {
      await db.$disconnect();
      sim.child.kill("SIGTERM");
      await new Promise((r) => sim.child.once("exit", r));
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
