// What the rollout integration tests share: a time-compressed simulator fleet imported into a fresh
// database, the collector keeping its state current (fast intervals), the users that plan and approve,
// and small helpers to create, approve and watch rollouts and to read the simulator's own records.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { expect } from "vitest";
import type { UpgradeCall } from "@/sim";
import { type RunningSimulator, startSimulator } from "@/sim";
import { createCaller } from "../api/app-router";
import { createContextInner } from "../api/trpc/context";
import { type Collector, startCollector } from "../features/collector/collector";
import type { RolloutSpec } from "../features/rollouts/create-rollout";
import type { Principal } from "../model/principal";
import type { SafetySettings } from "../model/rollout-safety";
import { loadSecretKey, type SecretKey } from "../platform/secrets/secret-key";
import { eventually, seedFleet } from "./collector-fleet";
import { createTestDatabase, type TestDatabase } from "./database";

export interface RolloutTestFleet {
  database: TestDatabase;
  sim: RunningSimulator;
  secretKey: SecretKey;
  /** Where the secret key lives (MINOS_DATA_DIR for a separate process). */
  stateDir: string;
  collector: Collector;
  stop(): Promise<void>;
}

export const testLog = pino({ level: process.env.TEST_LOG ?? "silent" });

export async function startRolloutTestFleet(opts: {
  clusters: number;
  /** 5 by default: 3 control planes and 2 workers per cluster. */
  nodesPerCluster?: number;
  /** Simulated seconds per real second: how fast installs and reboots go. */
  timeScale: number;
  users: Principal[];
}): Promise<RolloutTestFleet> {
  const database = await createTestDatabase();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-rollouts-"));
  const secretKey = await loadSecretKey({ dataDir: stateDir });
  const sim = await startSimulator({
    clusters: opts.clusters,
    nodesPerCluster: opts.nodesPerCluster ?? 5,
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
  // Collected in full (health, reachability, versions): a plan made before that excludes machines.
  await eventually(
    async () =>
      (await database.db.machine.count({
        where: {
          OR: [{ health: "unknown" }, { reachable: false }, { talosVersion: "" }, { kubernetesVersion: "" }],
        },
      })) === 0,
    60_000,
    "every machine collected",
  );
  // Users exist for the audit trail's sake and for four eyes by user id.
  for (const p of opts.users) await database.db.user.create({ data: { id: p.userId, username: p.username } });
  return {
    database,
    sim,
    secretKey,
    stateDir,
    collector,
    async stop() {
      await collector.stop();
      await sim.stop();
      await database.drop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** A tRPC caller acting as `principal` (authorisation and audit as in the app). */
export function callerFor(fleet: RolloutTestFleet, principal: Principal) {
  return createCaller(createContextInner({ db: fleet.database.db, principal }));
}

/** Safety settings for tests: nothing bakes, no budget, generous timeouts; override what a test is about. */
export function testSafety(over: Partial<SafetySettings> = {}): SafetySettings {
  return {
    workersPerCluster: 2,
    fleetConcurrency: 4,
    siteConcurrency: 4,
    prePull: true,
    fleetPulls: 4,
    sitePulls: 4,
    windows: [],
    bakeMinutes: 0,
    failureBudget: { kind: "count", value: 0 },
    machineTimeoutMinutes: 10,
    allowSingleControlPlane: false,
    drain: true,
    drainOffReason: "",
    drainTimeoutMinutes: 5,
    nodeReadyTimeoutMinutes: 10,
    podCheck: false,
    ...over,
  };
}

/** A rollout of these machines to `target`, all in one wave unless `waves` says otherwise. */
export function rolloutOf(
  machineIds: string[],
  target: string,
  over: Partial<RolloutSpec> & { safety?: SafetySettings } = {},
): RolloutSpec {
  return {
    name: `to ${target}`,
    installerImage: `ghcr.io/siderolabs/installer:${target}`,
    scope: { machineIds },
    wavePlan: { canary: { kind: "none" }, waves: [{ kind: "percent", percent: 100 }] },
    safety: testSafety(),
    ...over,
  };
}

/** Approves a wave of a rollout at its current revision. */
export async function approveWave(
  fleet: RolloutTestFleet,
  approver: Principal,
  rolloutId: string,
  waveIndex: number,
  opts: { autoAdvance?: boolean } = {},
): Promise<void> {
  const r = await fleet.database.db.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
  await callerFor(fleet, approver).rollouts.decide({
    rolloutId,
    waveIndex,
    revision: r.revision,
    approve: true,
    comment: "",
    autoAdvance: opts.autoAdvance ?? false,
  });
}

/** Waits until the rollout's status is `status` (fails early when it ends in another one). */
export async function waitForStatus(
  fleet: RolloutTestFleet,
  rolloutId: string,
  status: string,
  timeoutMs: number,
): Promise<void> {
  const ended = ["completed", "aborted", "rejected"];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await fleet.database.db.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
    if (r.status === status) return;
    if (ended.includes(r.status) || Date.now() > until) {
      // Say where it stands: the status and every machine's phase, progress and error.
      const machines = [...(await phasesOf(fleet, rolloutId)).values()].map(
        (m) => `${m.machine.hostname} ${m.phase} #${m.attempt} ${m.progress} ${m.error ?? ""}`,
      );
      throw new Error(
        `rollout "${r.name}" is ${r.status} (${r.statusReason}), not ${status}:\n  ${machines.join("\n  ")}`,
      );
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The rollout's machines with their phases, by hostname. */
export async function phasesOf(fleet: RolloutTestFleet, rolloutId: string) {
  const rows = await fleet.database.db.rolloutMachine.findMany({
    where: { rolloutId },
    orderBy: { position: "asc" },
    include: { machine: { select: { hostname: true } } },
  });
  return new Map(rows.map((r) => [r.machine.hostname, r]));
}

export interface SimNodeDetail {
  hostname: string;
  talosVersion: string;
  bootCount: number;
  stage: string;
  upgradeCalls: UpgradeCall[];
}

/** A node as the simulator sees it (version, boot count, its own upgrade record). */
export async function simNode(sim: RunningSimulator, hostname: string): Promise<SimNodeDetail> {
  const res = await fetch(`${sim.controlUrl}/nodes/${hostname}`);
  if (!res.ok) throw new Error(`no simulated node ${hostname}: ${res.status}`);
  return (await res.json()) as SimNodeDetail;
}

/** Upgrade requests per node that took effect (the node rebooted into them). */
export const upgradesInEffect = (n: SimNodeDetail) =>
  n.upgradeCalls.filter((c) => c.outcome === "booted").length;

/** Waits for `n` more complete passes of a reconciler: to see that nothing happened meanwhile. */
export async function morePasses(
  reconciler: { passes: number },
  n: number,
  timeoutMs = 30_000,
): Promise<void> {
  const target = reconciler.passes + n;
  await eventually(async () => reconciler.passes >= target, timeoutMs, `${n} reconciler passes`);
}

/**
 * Every machine of the rollout done in one attempt, on `target`, rebooted once, by exactly one upgrade
 * request in effect, and none refused ("in progress") or failed: by the simulator's own records.
 */
export async function expectUpgradedOnce(
  fleet: RolloutTestFleet,
  rolloutId: string,
  bootsBefore: Map<string, number>,
  target: string,
): Promise<void> {
  const rows = await phasesOf(fleet, rolloutId);
  expect(rows.size).toBe(bootsBefore.size);
  for (const [hostname, boots] of bootsBefore) {
    expect(rows.get(hostname), hostname).toMatchObject({ phase: "done", attempt: 1 });
    const node = await simNode(fleet.sim, hostname);
    expect(node.talosVersion, hostname).toBe(target);
    expect(node.bootCount - boots, `${hostname}: reboots`).toBe(1);
    expect(upgradesInEffect(node), `${hostname}: upgrade requests in effect`).toBe(1);
    expect(
      node.upgradeCalls.filter((c) => c.outcome === "refused" || c.outcome === "failed"),
      `${hostname}: refused or failed upgrade requests`,
    ).toEqual([]);
  }
}
