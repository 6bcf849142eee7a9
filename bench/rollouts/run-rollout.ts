// A 1,000-machine rollout end to end: the simulator (its own process, time compressed) serves 50 clusters of
// 20 machines on one Talos release; the collector (its own process) keeps their state in a real Postgres; the
// rollout is planned, created and approved through the API as two users would (canary, then waves that
// advance on their own); the real reconciler in this process drives it over mTLS to completion. Reported:
// machines upgraded per minute, the reconciler's CPU per machine phase transition, wall time, the peak
// concurrent upgrades and pulls the simulator saw, drain times and evictions, and the proof counts (double
// upgrades, machines lost, workload pods killed by a reboot, disruption budgets broken, nodes left
// cordoned), which fail the run when not zero.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { RegistryStats, UpgradeCall } from "@/sim";
import { adoptAuditHead } from "../../server/access/audit/adopt-audit-head";
import { createCaller } from "../../server/api/app-router";
import { createContextInner } from "../../server/api/trpc/context";
import { RolloutReconciler } from "../../server/features/rollouts/reconciler/reconciler";
import { createDb, type PrismaClient } from "../../server/platform/db/client";
import { applyMigrations } from "../../server/platform/db/migrate";
import { setInstanceSecretKey } from "../../server/platform/secrets/instance-key";
import { loadSecretKey } from "../../server/platform/secrets/secret-key";
import { type SimFleetView, seedFleet } from "../../server/testing/collector-fleet";
import { principalWith } from "../../server/testing/principals";
import { startTempDatabase } from "../../server/testing/temp-postgres";
import {
  onInterrupt,
  processCpuSeconds,
  processTreeCpuSeconds,
  type ReadyChild,
  startReadyChild,
} from "../child-process";
import type { BenchMetric } from "../suite";
import { proveRollout, upgradesAtOnce } from "./proof";
import { installTransitionLog, medianPhaseSeconds, readTransitions, type Transition } from "./transitions";

const env = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};

/** 50 clusters × 20 = 1,000 machines; BENCH_ROLLOUT_CLUSTERS=5 for a quick 100-machine run. */
const CLUSTERS = env("BENCH_ROLLOUT_CLUSTERS", 50);
const NODES_PER_CLUSTER = 20;
const SITES = ["eu/de/fra", "eu/nl/ams", "us/ny/nyc", "us/ca/sfo", "ap/sg/sin"];
/** Simulated seconds per real second: a simulated upgrade (pull 12 s, install 15 s, reboot and boot ≈ 25 s) shrinks by this. */
const TIME_SCALE = env("BENCH_ROLLOUT_TIME_SCALE", 20);
/** The reconciler's pause between passes: its default (1 s) unless set. */
const PASS_MS = env("BENCH_ROLLOUT_PASS_MS", 1_000);
const FROM = "v1.13.9";
const TARGET = "v1.14.0-rc.1";
/** Concurrent pulls the simulated registry serves at full speed is half this; past it pulls fail (429). */
const REGISTRY_LIMIT = 80;
const RUN_LIMIT_MS = 15 * 60_000;

const SAFETY = {
  fleetConcurrency: 100,
  siteConcurrency: 25,
  workersPerCluster: 3,
  prePull: true,
  fleetPulls: 40,
  sitePulls: 10,
  windows: [],
  bakeMinutes: 0,
  failureBudget: { kind: "count" as const, value: 0 },
  machineTimeoutMinutes: 10,
  allowSingleControlPlane: false,
  // Each node is cordoned and drained through the simulator's Kubernetes API before its reboot.
  drain: true,
  drainOffReason: "",
  drainTimeoutMinutes: 5,
  nodeReadyTimeoutMinutes: 10,
};
const WAVE_PLAN = {
  canary: { kind: "per-cluster" as const, count: 1 },
  waves: [
    { kind: "percent" as const, percent: 10 },
    { kind: "percent" as const, percent: 30 },
    { kind: "percent" as const, percent: 60 },
  ],
};
/** The collector's defaults, but reconnecting to a rebooted machine within a second (the fleet's time is compressed). */
const COLLECTOR_OPTIONS = { maxBackoffMs: 1_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: readonly number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

/** The reconciler as shipped, timing its passes. */
class TimedReconciler extends RolloutReconciler {
  readonly passMs: number[] = [];
  override async pass(): Promise<void> {
    const t = performance.now();
    try {
      await super.pass();
    } finally {
      this.passMs.push(performance.now() - t);
    }
  }
}

/**
 * Seconds from a machine's upgrade being done (in Minos) until the collector stored it healthy again: until
 * then its cluster counts as not ready and its next machine waits.
 */
async function healthyAgainSeconds(db: PrismaClient, rolloutId: string): Promise<number[]> {
  const rows = await db.$queryRawUnsafe<{ lag: number }[]>(
    `SELECT EXTRACT(EPOCH FROM (
       (SELECT min(c.at) FROM machine_state_change c
         WHERE c.machine_id = m.machine_id AND c.field = 'health' AND c.to_value IN ('healthy', 'degraded')
           AND c.at >= m.issued_at)
       - m.finished_at))::float8 AS lag
     FROM rollout_machine m WHERE m.rollout_id = $1::uuid AND m.phase = 'done'`,
    rolloutId,
  );
  return rows.map((r) => r.lag).filter((x) => Number.isFinite(x));
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Most at once of a phase, from the recorded transitions. */
function peakIn(transitions: readonly Transition[], phase: string): number {
  let now = 0;
  let peak = 0;
  for (const t of transitions) {
    if (t.to === phase) now++;
    if (t.from === phase) now--;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** The Postgres server's process id (postmaster.pid in its data directory), when it runs on this machine. */
async function postmasterPid(db: PrismaClient): Promise<number | undefined> {
  try {
    const [row] = await db.$queryRawUnsafe<{ dir: string }[]>(
      "SELECT current_setting('data_directory') AS dir",
    );
    const text = await readFile(path.join(row?.dir ?? "", "postmaster.pid"), "utf8");
    return Number(text.split("\n")[0]);
  } catch {
    return undefined; // elsewhere (DATABASE_URL), or not readable: its CPU is not reported
  }
}

/** Gives each cluster a site, round robin, so per-site caps have several sites to count. */
async function placeClusters(db: PrismaClient): Promise<void> {
  const clusters = await db.cluster.findMany({ select: { name: true }, orderBy: { name: "asc" } });
  for (const [i, site] of SITES.entries()) {
    const names = clusters.filter((_, j) => j % SITES.length === i).map((c) => c.name);
    await db.cluster.updateMany({ where: { name: { in: names } }, data: { site } });
  }
}

export async function runRollout(): Promise<BenchMetric[]> {
  const machines = CLUSTERS * NODES_PER_CLUSTER;
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-rollout-"));
  const pg = await startTempDatabase();
  const log = pino({ level: process.env.LOG_LEVEL ?? "warn" });
  let db: PrismaClient | undefined;
  let sim: ReadyChild<{ controlUrl: string; talosconfig: string }> | undefined;
  let collector: ReadyChild<{ instanceId: string }> | undefined;
  let reconciler: TimedReconciler | undefined;
  const cleanUp = async () => {
    await reconciler?.stop().catch(() => {});
    await collector?.stop();
    await db?.$disconnect();
    await sim?.stop();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const interrupted = onInterrupt(cleanUp);
  try {
    const { applied } = await applyMigrations(pg.url);
    db = createDb(pg.url);
    const started = performance.now();
    sim = await startReadyChild<{ controlUrl: string; talosconfig: string }>(
      "sim/main.ts",
      [
        ...["--clusters", String(CLUSTERS), "--nodes-per-cluster", String(NODES_PER_CLUSTER)],
        ...[
          "--port",
          "0",
          "--kube-port",
          "0",
          "--state-dir",
          path.join(dir, "sim"),
          "--seed",
          "bench-rollouts",
        ],
        ...["--time-scale", String(TIME_SCALE), "--talos-version", FROM, "--healthy"],
        ...["--registry-limit", String(REGISTRY_LIMIT)],
      ],
      { word: "SIM_READY", name: "simulator" },
    );
    const control = sim.ready.controlUrl;
    const secretKey = await loadSecretKey({ dataDir: dir });
    // The API calls below audit what they do, signing the trail's head with the instance's key, as Minos does.
    setInstanceSecretKey(secretKey);
    await adoptAuditHead(db, secretKey, applied);
    const fleet = await getJson<SimFleetView>(`${control}/fleet`);
    await seedFleet(
      db,
      { talosconfig: await readFile(sim.ready.talosconfig, "utf8"), clusters: fleet.clusters },
      secretKey,
    );
    await placeClusters(db);

    collector = await startReadyChild<{ instanceId: string }>("bench/rollouts/collector-process.ts", [], {
      word: "COLLECTOR_READY",
      name: "collector",
      env: {
        DATABASE_URL: pg.url,
        BENCH_DATA_DIR: dir,
        BENCH_COLLECTOR_OPTIONS: JSON.stringify(COLLECTOR_OPTIONS),
      },
    });
    const database = db;
    await until("every machine collected", 300_000, async () => {
      const open = await database.machine.count({
        where: { OR: [{ health: "unknown" }, { bootId: "" }, { talosVersion: "" }] },
      });
      return open === 0 ? true : undefined;
    });
    console.log(`  fleet up and collected in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Two people: one plans, the other approves the canary and lets the later waves start on their own.
    const alice = principalWith("alice", "operator");
    const bob = principalWith("bob", "approver");
    for (const p of [alice, bob]) await db.user.create({ data: { id: p.userId, username: p.username } });
    const as = (p: typeof alice) => createCaller(createContextInner({ db: database, principal: p, log }));
    const spec = {
      name: `${machines} machines to ${TARGET}`,
      installerImage: `ghcr.io/siderolabs/installer:${TARGET}`,
      scope: { selector: "" },
      wavePlan: WAVE_PLAN,
      safety: SAFETY,
    };
    const preview = await as(alice).rollouts.preview(spec);
    const created = await as(alice).rollouts.create(spec);
    if (created.machines !== preview.planned) {
      throw new Error(
        `the plan changed between preview (${preview.planned}) and create (${created.machines})`,
      );
    }
    await as(bob).rollouts.decide({
      rolloutId: created.id,
      waveIndex: 0,
      revision: 1,
      approve: true,
      comment: "benchmark",
      autoAdvance: true,
    });
    console.log(
      `  plan: ${preview.planned} of ${preview.inScope} in scope, ${preview.waves.length} waves (${preview.waves.map((w) => w.machineIds.length).join(" + ")}), ${preview.excluded.length} excluded`,
    );
    await installTransitionLog(db);
    await getJson(`${control}/registry/reset`, { method: "POST" });

    // The run: only the reconciler works in this process (plus one status read every 250 ms).
    const simPid = sim.child.pid;
    const collectorPid = collector.child.pid;
    const postgresPid = await postmasterPid(db);
    const postgresCpu = () => (postgresPid === undefined ? Number.NaN : processTreeCpuSeconds(postgresPid));
    const postgresCpu0 = postgresCpu();
    const cpu0 = process.cpuUsage();
    const simCpu0 = processCpuSeconds(simPid);
    const collectorCpu0 = processCpuSeconds(collectorPid);
    const t0 = Date.now();
    const timed = new TimedReconciler({ db, log, secretKey, passMs: PASS_MS });
    reconciler = timed.start();
    const id = created.id;
    const finished = await until("the rollout to finish", RUN_LIMIT_MS, async () => {
      const r = await database.rollout.findUniqueOrThrow({
        where: { id },
        select: { status: true, statusReason: true, finishedAt: true },
      });
      if (r.status === "completed") return r.finishedAt ?? new Date();
      if (r.status !== "running") {
        throw new Error(`the rollout stopped: ${r.status}${r.statusReason ? ` — ${r.statusReason}` : ""}`);
      }
      return undefined;
    });
    const cpu = process.cpuUsage(cpu0);
    const simCpu = processCpuSeconds(simPid) - simCpu0;
    const collectorCpu = processCpuSeconds(collectorPid) - collectorCpu0;
    const postgresCpuS = postgresCpu() - postgresCpu0;
    const wallMs = finished.getTime() - t0;
    await reconciler.stop();
    reconciler = undefined;

    // What the fleet recorded, against what Minos stored.
    const upgrades = await getJson<{ nodes: { hostname: string; calls: UpgradeCall[] }[] }>(
      `${control}/upgrades`,
    );
    const calls = new Map(upgrades.nodes.map((n) => [n.hostname, n.calls]));
    const peakUpgrades = upgradesAtOnce(calls.values());
    const requests = upgrades.nodes.reduce((sum, n) => sum + n.calls.length, 0);
    const registry = await getJson<RegistryStats>(`${control}/registry`);
    const after = await getJson<{ clusters: { nodes: { hostname: string; talosVersion: string }[] }[] }>(
      `${control}/fleet`,
    );
    const versions = new Map(
      after.clusters.flatMap((c) => c.nodes.map((n) => [n.hostname, n.talosVersion] as const)),
    );
    const inScope = await db.machine.findMany({ select: { id: true, hostname: true } });
    const rows = await db.rolloutMachine.findMany({
      where: { rolloutId: id },
      select: { machineId: true, phase: true, attempt: true, error: true },
    });
    const proof = proveRollout({
      inScope,
      rows,
      excluded: preview.excluded,
      calls,
      versions,
      targetVersion: TARGET,
    });
    // What Kubernetes saw: evictions, pods killed by a reboot, budgets broken, nodes left cordoned.
    const kube = await getJson<{
      totals: {
        evictionsAccepted: number;
        evictionsRefused: number;
        podsKilledByReboot: number;
        pdbViolations: number;
        cordonedNodes: number;
      };
    }>(`${control}/kube`);
    const drains = (
      await db.rolloutMachine.findMany({
        where: { rolloutId: id, drainMs: { not: null } },
        select: { drainMs: true },
      })
    ).map((r) => (r.drainMs ?? 0) / 1000);
    const transitions = await readTransitions(db);
    const waves = await db.rolloutWave.findMany({
      where: { rolloutId: id },
      orderBy: { index: "asc" },
      select: { name: true, startedAt: true, finishedAt: true },
    });
    for (const w of waves) {
      const s = w.startedAt && w.finishedAt ? (w.finishedAt.getTime() - w.startedAt.getTime()) / 1000 : NaN;
      console.log(`  ${w.name}: ${s.toFixed(1)} s`);
    }

    const cpuMs = (cpu.user + cpu.system) / 1000;
    const perMinute = proof.upgraded / (wallMs / 60_000);
    const minosPeakUpgrading = peakIn(transitions, "upgrading");
    const minosPeakPulling = peakIn(transitions, "pulling");
    console.log(
      `  ${proof.upgraded} upgraded, ${proof.failed} failed, ${proof.excluded} excluded in ${(wallMs / 1000).toFixed(1)} s: ${perMinute.toFixed(0)} machines/min`,
    );
    console.log(
      `  reconciler CPU ${(cpuMs / 1000).toFixed(1)} s (system ${(cpu.system / 1e6).toFixed(1)} s) over ${transitions.length} phase transitions (${(cpuMs / transitions.length).toFixed(2)} ms each); simulator ${simCpu.toFixed(1)} s, collector ${collectorCpu.toFixed(1)} s, Postgres ${postgresCpuS.toFixed(1)} s`,
    );
    console.log(
      `  peak upgrades ${peakUpgrades} (Minos's rows ${minosPeakUpgrading}, cap ${SAFETY.fleetConcurrency}); peak pulls ${registry.peak} (Minos's rows ${minosPeakPulling}, cap ${SAFETY.fleetPulls}); registry failures ${registry.failed}`,
    );
    const phases = medianPhaseSeconds(transitions);
    console.log(
      `  median seconds per phase: ${Object.entries(phases)
        .map(([p, s]) => `${p} ${s}`)
        .join(", ")}`,
    );
    const lag = await healthyAgainSeconds(db, id);
    console.log(
      `  reconciler passes: ${timed.passMs.length}, p50 ${quantile(timed.passMs, 0.5).toFixed(0)} ms, max ${Math.max(...timed.passMs).toFixed(0)} ms; done → collected healthy again p50 ${quantile(lag, 0.5).toFixed(2)} s, p95 ${quantile(lag, 0.95).toFixed(2)} s`,
    );
    console.log(
      `  double upgrades ${proof.doubleUpgrades.length}, machines lost ${proof.lost.length}, upgrade requests ${requests}`,
    );
    console.log(
      `  drains ${drains.length}: p50 ${quantile(drains, 0.5).toFixed(1)} s, p95 ${quantile(drains, 0.95).toFixed(1)} s; evictions ${kube.totals.evictionsAccepted} (${kube.totals.evictionsRefused} refused by a budget and retried); workload pods killed by a reboot ${kube.totals.podsKilledByReboot}; PDB violations ${kube.totals.pdbViolations}; nodes left cordoned ${kube.totals.cordonedNodes}`,
    );

    const problems: string[] = [];
    if (proof.doubleUpgrades.length > 0)
      problems.push(
        `${proof.doubleUpgrades.length} machines upgraded twice: ${proof.doubleUpgrades.slice(0, 5).join(", ")}`,
      );
    if (proof.lost.length > 0)
      problems.push(`${proof.lost.length} machines lost: ${proof.lost.slice(0, 5).join(", ")}`);
    if (peakUpgrades > SAFETY.fleetConcurrency)
      problems.push(`${peakUpgrades} upgrades at once, over the cap of ${SAFETY.fleetConcurrency}`);
    if (registry.peak > SAFETY.fleetPulls)
      problems.push(`${registry.peak} pulls at once, over the cap of ${SAFETY.fleetPulls}`);
    if (registry.failed > 0) problems.push(`${registry.failed} pulls refused by the registry`);
    if (proof.upgraded !== preview.planned)
      problems.push(`${proof.upgraded} machines upgraded of ${preview.planned} planned`);
    if (kube.totals.podsKilledByReboot > 0)
      problems.push(
        `${kube.totals.podsKilledByReboot} workload pods killed by a reboot (a drain was skipped)`,
      );
    if (kube.totals.pdbViolations > 0)
      problems.push(`${kube.totals.pdbViolations} disruption budgets broken`);
    if (kube.totals.cordonedNodes > 0) problems.push(`${kube.totals.cordonedNodes} nodes left cordoned`);
    if (drains.length !== proof.upgraded)
      problems.push(`${drains.length} drains for ${proof.upgraded} upgrades`);
    if (problems.length > 0) throw new Error(`rollout benchmark failed its proof: ${problems.join("; ")}`);

    const params = {
      machines,
      clusters: CLUSTERS,
      sites: SITES.length,
      planned: preview.planned,
      waves: waves.map((w) => w.name).join(", "),
      timeScale: TIME_SCALE,
      passMs: PASS_MS,
      fleetConcurrency: SAFETY.fleetConcurrency,
      siteConcurrency: SAFETY.siteConcurrency,
      workersPerCluster: SAFETY.workersPerCluster,
      fleetPulls: SAFETY.fleetPulls,
      sitePulls: SAFETY.sitePulls,
    };
    const n = machines === 1000 ? "1k" : `${machines}`;
    return [
      {
        name: `rollouts.run_${n}_machines_per_min`,
        value: Math.round(perMinute),
        unit: "machines/min",
        params,
      },
      { name: `rollouts.run_${n}_wall_s`, value: +(wallMs / 1000).toFixed(1), unit: "s", params },
      {
        name: `rollouts.run_${n}_reconciler_cpu_ms_per_transition`,
        value: +(cpuMs / transitions.length).toFixed(2),
        unit: "ms",
        params: {
          ...params,
          transitions: transitions.length,
          reconcilerCpuS: +(cpuMs / 1000).toFixed(1),
          reconcilerSystemCpuS: +(cpu.system / 1e6).toFixed(1),
        },
      },
      { name: `rollouts.run_${n}_transitions`, value: transitions.length, unit: "transitions", params },
      {
        name: `rollouts.run_${n}_simulator_cpu_s`,
        value: +simCpu.toFixed(1),
        unit: "s",
        params,
      },
      { name: `rollouts.run_${n}_collector_cpu_s`, value: +collectorCpu.toFixed(1), unit: "s", params },
      ...(Number.isFinite(postgresCpuS)
        ? [{ name: `rollouts.run_${n}_postgres_cpu_s`, value: +postgresCpuS.toFixed(1), unit: "s", params }]
        : []),
      { name: `rollouts.run_${n}_peak_upgrades`, value: peakUpgrades, unit: "machines", params },
      { name: `rollouts.run_${n}_peak_pulls`, value: registry.peak, unit: "pulls", params },
      {
        name: `rollouts.run_${n}_double_upgrades`,
        value: proof.doubleUpgrades.length,
        unit: "machines",
        params,
      },
      { name: `rollouts.run_${n}_machines_lost`, value: proof.lost.length, unit: "machines", params },
      { name: `rollouts.run_${n}_drain_p50_s`, value: +quantile(drains, 0.5).toFixed(1), unit: "s", params },
      { name: `rollouts.run_${n}_drain_p95_s`, value: +quantile(drains, 0.95).toFixed(1), unit: "s", params },
      { name: `rollouts.run_${n}_evictions`, value: kube.totals.evictionsAccepted, unit: "pods", params },
      {
        name: `rollouts.run_${n}_evictions_refused`,
        value: kube.totals.evictionsRefused,
        unit: "requests",
        params,
      },
      {
        name: `rollouts.run_${n}_pods_killed_by_reboot`,
        value: kube.totals.podsKilledByReboot,
        unit: "pods",
        params,
      },
      { name: `rollouts.run_${n}_pdb_violations`, value: kube.totals.pdbViolations, unit: "budgets", params },
      {
        name: `rollouts.run_${n}_nodes_left_cordoned`,
        value: kube.totals.cordonedNodes,
        unit: "nodes",
        params,
      },
    ];
  } finally {
    interrupted();
    await cleanUp();
  }
}
