// State collection at fleet scale: the simulator (its own process) serves 10,000 machines in 1,000 clusters;
// the collector runs in this process against a real Postgres. Measures the first full collection, the time
// from a change on a machine to its row in the database (p50/p95, while the first collection runs and in
// steady state), the Talos calls it makes, and the collector's CPU and memory (and where the heap goes).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import pino from "pino";
import { type Collector, startCollector } from "../../server/features/collector";
import type { PrismaClient } from "../../server/platform/db/client";
import { createDb } from "../../server/platform/db/client";
import { applyMigrations } from "../../server/platform/db/migrate";
import { loadSecretKey } from "../../server/platform/secrets/secret-key";
import { clearFaults, injectFault, type SimFleetView, seedFleet } from "../../server/testing/collector-fleet";
import { startTempDatabase } from "../../server/testing/temp-postgres";
import { type CpuBreakdown, type HeapBreakdown, Profiler } from "../profiler";
import type { BenchMetric, BenchSuite } from "../suite";

/** 1,000 clusters of 10 = 10,000 machines; BENCH_COLLECTOR_CLUSTERS=100 measures 1,000. */
const CLUSTERS = Number(process.env.BENCH_COLLECTOR_CLUSTERS ?? 1000);
const NODES_PER_CLUSTER = 10;
const SAMPLES = 100;
/** Changes injected while the first collection runs, on machines already collected. */
const EARLY_SAMPLES = 20;
const STEADY_WINDOW_MS = 60_000;
/** The first collection is given this long before the rest is measured anyway. */
const FIRST_COLLECTION_LIMIT_MS = 900_000;
/** BENCH_COLLECTOR_PROFILE=<dir>: also write the raw heap and steady-state CPU profiles (for Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_COLLECTOR_PROFILE;
const ROOT = path.resolve(import.meta.dirname, "../..");

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function startSimChild(stateDir: string) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "sim/main.ts",
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

interface Target {
  id: string;
  address: string;
}

interface ChangeResult {
  latencies: number[];
  injected: number;
  /** Injected and not in the database within the window. */
  lost: string[];
}

/**
 * Fails kubelet on each target (one every 100 ms) through the simulator's control API and times each until
 * its row says unhealthy (rows polled every 20 ms), for at most `windowMs`; clears the faults afterwards.
 */
async function measureChanges(
  db: PrismaClient,
  sim: { controlUrl: string },
  targets: Target[],
  windowMs: number,
): Promise<ChangeResult> {
  const injectedAt = new Map<string, number>();
  const latencies: number[] = [];
  let injecting = true;
  let injected = 0;
  const poller = (async () => {
    const until = performance.now() + windowMs;
    while ((injecting || injectedAt.size) && performance.now() < until) {
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
  for (const t of targets) {
    const before = performance.now();
    // An overloaded simulator may drop a control request: that sample is skipped (not counted as injected).
    const ok = await injectFault(sim, t.address, {
      kind: "service",
      service: "kubelet",
      mode: "failed",
    }).then(
      () => true,
      () => false,
    );
    if (ok) {
      injectedAt.set(t.id, before);
      injected++;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  injecting = false;
  await poller;
  for (const t of targets) await clearFaults(sim, t.address).catch(() => {});
  latencies.sort((a, b) => a - b);
  return { latencies, injected, lost: [...injectedAt.keys()] };
}

/** What the database says about machines whose change never arrived (to find out why). */
async function describeLost(db: PrismaClient, ids: string[]): Promise<string> {
  if (!ids.length) return "none";
  const rows = await db.machine.findMany({
    where: { id: { in: ids } },
    select: { hostname: true, health: true, reachable: true, lastSeenAt: true, lastError: true },
  });
  return rows
    .map(
      (r) =>
        `${r.hostname}: ${r.health}, ${r.reachable ? "reachable" : "unreachable"}, last seen ${r.lastSeenAt?.toISOString() ?? "never"}${r.lastError ? `, ${r.lastError.slice(0, 80)}` : ""}`,
    )
    .join("\n    ");
}

function spread(rows: Target[], n: number, exclude: Set<string>): Target[] {
  const pool = rows.filter((r) => !exclude.has(r.id));
  return Array.from({ length: n }, (_, i) => pool[Math.floor((i * pool.length) / n)]).filter(
    (r): r is Target => r !== undefined,
  );
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Memory right after a full garbage collection (gc exposed at run time, for this measurement only). */
function afterFullGc(): NodeJS.MemoryUsage {
  v8.setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  return process.memoryUsage();
}

/** CPU seconds a process has used so far (user + system, from /proc; Linux only). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks of 1/100 s
}

/** CPU of the simulator process, in cores, between calls. */
function simulatorCpu(pid: number) {
  let last = { at: performance.now(), cpu: 0 };
  return {
    async reset() {
      last = { at: performance.now(), cpu: await cpuSeconds(pid) };
    },
    async cores(): Promise<number> {
      const now = { at: performance.now(), cpu: await cpuSeconds(pid) };
      const cores = (now.cpu - last.cpu) / ((now.at - last.at) / 1000);
      last = now;
      return +cores.toFixed(2);
    },
  };
}

function printProfiles(
  mem: NodeJS.MemoryUsage,
  heap: HeapBreakdown,
  first: CpuBreakdown,
  steady: CpuBreakdown,
): void {
  const list = (sites: Array<{ site: string; value: number }>, unit: string) => {
    for (const s of sites) console.log(`    ${String(s.value).padStart(7)} ${unit}  ${s.site}`);
  };
  console.log(
    `  memory: rss ${mib(mem.rss)}, heap used ${mib(mem.heapUsed)} of ${mib(mem.heapTotal)}, external ${mib(mem.external)} (array buffers ${mib(mem.arrayBuffers)}) MiB`,
  );
  console.log(`  live heap by allocating function (sampled, ${heap.totalMiB} MiB live):`);
  list(heap.byFunction, "MiB");
  console.log("  live heap by innermost Minos frame:");
  list(heap.byOwnCode, "MiB");
  for (const [what, cpu] of [
    ["first collection", first],
    ["steady state", steady],
  ] as const) {
    console.log(`  ${what}, CPU by package (${cpu.totalMs} ms busy):`);
    list(cpu.byArea, "ms");
    console.log(`  ${what}, CPU by function:`);
    list(cpu.byFunction, "ms");
  }
}

/** The collector process's event loop: how late timers ran (a blocked loop delays lease renewals and writes). */
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
const delayMs = (q: number) => Math.round(loopDelay.percentile(q) / 1e6);

function progressLine(collector: Collector, seen: number, t0: number, simCores: number): string {
  const s = collector.stats();
  const line = `  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${seen} collected; first contacts ${s.firstContacts.completed} done, ${s.firstContacts.active} active, ${s.firstContacts.waiting} waiting; ${s.pendingEvents} events unwritten; rss ${mib(process.memoryUsage().rss)} MiB; event loop delay p99 ${delayMs(99)} ms, max ${Math.round(loopDelay.max / 1e6)} ms; simulator ${simCores} cores; load ${os.loadavg()[0]?.toFixed(1)}`;
  loopDelay.reset();
  return line;
}

const suite: BenchSuite = {
  name: "collector",
  description: `State collection: ${CLUSTERS * NODES_PER_CLUSTER} simulated machines in ${CLUSTERS} clusters → Postgres`,
  async run(): Promise<BenchMetric[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-collector-"));
    const pg = await startTempDatabase();
    const sim = await startSimChild(path.join(dir, "sim"));
    const db = createDb(pg.url);
    const params = { clusters: CLUSTERS, machines: CLUSTERS * NODES_PER_CLUSTER };
    const profiler = new Profiler();
    try {
      await applyMigrations(pg.url);
      const secretKey = await loadSecretKey({ dataDir: dir });
      const fleet = (await (await fetch(`${sim.controlUrl}/fleet`)).json()) as SimFleetView;
      await seedFleet(
        db,
        { talosconfig: await readFile(sim.talosconfig, "utf8"), clusters: fleet.clusters },
        secretKey,
      );
      const workers: Target[] = await db.machine.findMany({
        where: { role: "worker" },
        select: { id: true, address: true },
        orderBy: { hostname: "asc" },
      });
      await profiler.start();
      const simCpu = simulatorCpu(sim.child.pid ?? 0);
      await simCpu.reset();
      const load0 = os.loadavg()[0] ?? 0;

      loopDelay.enable();
      await profiler.startCpu();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      // BENCH_COLLECTOR_KUBERNETES=0: without the clusters' Node watches, to compare.
      const kubernetes = process.env.BENCH_COLLECTOR_KUBERNETES !== "0";
      const collector = startCollector({ db, log: pino({ level: "warn" }), secretKey, kubernetes });
      const machines = CLUSTERS * NODES_PER_CLUSTER;
      const collected = { lastSeenAt: { not: null }, talosVersion: { not: "" } };
      let firstFullMs = Number.NaN;
      let early: Promise<ChangeResult> | undefined;
      const earlyIds = new Set<string>();
      let lastProgress = t0;
      while (performance.now() - t0 < FIRST_COLLECTION_LIMIT_MS) {
        const seen = await db.machine.count({ where: collected });
        if (seen === machines) {
          firstFullMs = performance.now() - t0;
          break;
        }
        // Changes while the first collection runs: on workers already collected, once a quarter are in.
        if (!early && seen >= machines / 4) {
          const ready = await db.machine.findMany({
            where: { role: "worker", ...collected },
            select: { id: true, address: true },
          });
          const targets = spread(ready, EARLY_SAMPLES, new Set());
          for (const t of targets) earlyIds.add(t.id);
          early = measureChanges(db, sim, targets, 30_000);
        }
        if (performance.now() - lastProgress > 15_000) {
          lastProgress = performance.now();
          console.log(progressLine(collector, seen, t0, await simCpu.cores()));
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const cpuStart = process.cpuUsage(cpu0);
      const firstWallMs = performance.now() - t0;
      const firstProfile = await profiler.stopCpu(
        PROFILE_DIR && path.join(PROFILE_DIR, "collector-first.cpuprofile"),
      );
      console.log(`  first full collection: ${(firstFullMs / 1000).toFixed(1)} s`);
      const earlyResult = early ? await early : { latencies: [], injected: 0, lost: [] };

      // Steady state: CPU and Talos calls over a window with nothing happening but streams and reconciles
      // (a full reconcile interval, so every machine is read once and one in five has its drift read).
      const callsA = collector.stats();
      const cpuA = process.cpuUsage();
      await simCpu.reset();
      loopDelay.reset();
      await profiler.startCpu();
      await new Promise((r) => setTimeout(r, STEADY_WINDOW_MS));
      const cpuB = process.cpuUsage(cpuA);
      const cpuProfile = await profiler.stopCpu(
        PROFILE_DIR && path.join(PROFILE_DIR, "collector-steady.cpuprofile"),
      );
      const callsB = collector.stats();
      const simSteady = await simCpu.cores();
      const steadyDelay = { p99: delayMs(99), max: Math.round(loopDelay.max / 1e6) };
      const perSecond = (k: "reconcileCalls" | "driftCalls" | "events" | "streamOpens") =>
        +(((callsB[k] - callsA[k]) * 1000) / STEADY_WINDOW_MS).toFixed(1);
      const steadyCores = (cpuB.user + cpuB.system) / 1000 / STEADY_WINDOW_MS;
      const mem = process.memoryUsage();
      const heap = await profiler.heap(PROFILE_DIR && path.join(PROFILE_DIR, "collector.heapprofile"));
      // What is really live: the heap right after a full collection (V8 otherwise grows its heap lazily).
      const memLive = afterFullGc();
      printProfiles(mem, heap, firstProfile, cpuProfile);
      console.log(
        `  after a full garbage collection: rss ${mib(memLive.rss)}, heap used ${mib(memLive.heapUsed)} of ${mib(memLive.heapTotal)} MiB`,
      );

      const steady = await measureChanges(db, sim, spread(workers, SAMPLES, earlyIds), 60_000);
      console.log(`  changes lost while collecting first: ${await describeLost(db, earlyResult.lost)}`);
      console.log(`  changes lost in steady state: ${await describeLost(db, steady.lost)}`);
      const memAfter = process.memoryUsage();
      await collector.stop();
      const latency = (name: string, r: ChangeResult, q: number) => ({
        name,
        value: Math.round(quantile(r.latencies, q)),
        unit: "ms",
        params: { ...params, samples: r.latencies.length },
      });
      return [
        {
          name: "collector.first_full_collection_s",
          value: +(firstFullMs / 1000).toFixed(1),
          unit: "s",
          params,
        },
        {
          name: "collector.first_full_collection_cpu_cores",
          value: +((cpuStart.user + cpuStart.system) / 1000 / firstWallMs).toFixed(2),
          unit: "cores",
          params,
        },
        latency("collector.change_during_first_collection_p50_ms", earlyResult, 0.5),
        latency("collector.change_during_first_collection_p95_ms", earlyResult, 0.95),
        {
          name: "collector.changes_lost_during_first_collection",
          value: earlyResult.lost.length,
          unit: `of ${earlyResult.injected}`,
          params,
        },
        latency("collector.change_to_db_p50_ms", steady, 0.5),
        latency("collector.change_to_db_p95_ms", steady, 0.95),
        { name: "collector.changes_lost", value: steady.lost.length, unit: `of ${steady.injected}`, params },
        { name: "collector.steady_cpu_cores", value: +steadyCores.toFixed(2), unit: "cores", params },
        { name: "collector.simulator_steady_cpu_cores", value: simSteady, unit: "cores", params },
        { name: "collector.steady_event_loop_delay_p99_ms", value: steadyDelay.p99, unit: "ms", params },
        { name: "collector.steady_event_loop_delay_max_ms", value: steadyDelay.max, unit: "ms", params },
        {
          name: "collector.calls_per_machine_first_collection",
          value: +((callsA.reconcileCalls + callsA.driftCalls) / machines).toFixed(1),
          unit: "calls",
          params,
        },
        {
          name: "collector.reconcile_calls_per_s",
          value: perSecond("reconcileCalls"),
          unit: "calls/s",
          params,
        },
        { name: "collector.drift_calls_per_s", value: perSecond("driftCalls"), unit: "calls/s", params },
        { name: "collector.events_per_s", value: perSecond("events"), unit: "events/s", params },
        {
          name: "collector.rss_mib",
          value: mib(Math.max(mem.rss, memAfter.rss)),
          unit: "MiB",
          params,
        },
        { name: "collector.heap_used_mib", value: mib(mem.heapUsed), unit: "MiB", params },
        { name: "collector.heap_live_mib", value: mib(memLive.heapUsed), unit: "MiB after full GC", params },
        { name: "collector.external_mib", value: mib(mem.external), unit: "MiB", params },
        {
          name: "collector.load_average",
          value: +((load0 + (os.loadavg()[0] ?? 0)) / 2).toFixed(1),
          unit: "(1 min, start and end)",
          params,
        },
      ];
    } finally {
      loopDelay.disable();
      await profiler.stop();
      await db.$disconnect();
      sim.child.kill("SIGTERM");
      await new Promise((r) => sim.child.once("exit", r));
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
