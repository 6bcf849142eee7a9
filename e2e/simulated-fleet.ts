// What the browser tests that run their own simulator share: starting one simulated cluster for a spec,
// removing the simulated fleet's clusters and credentials (so a retried test can import it again), and
// injecting or clearing a service fault through the simulator's control API.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect } from "@playwright/test";
import type pg from "pg";
import { type RunningSimulator, startSimulator } from "@/sim";
import { withDb } from "./database";

/** A spec's own simulated cluster. */
export interface SimulatedFleet {
  sim: RunningSimulator;
  clusterNames: string[];
  /** The simulator's state directory, removed by `stop`. */
  stateDir: string;
  /** Forgets the clusters (with their credentials), stops the simulator and removes its state. */
  stop(): Promise<void>;
}

/**
 * Starts a simulator with one cluster (time runs 50 times faster unless `timeScale` says otherwise) and
 * forgets its clusters first, in case an earlier try of the spec imported them.
 */
export async function startSimulatedFleet(opts: {
  /** Names the state directory. */
  name: string;
  /** The simulator's seed: it decides the cluster's names, versions and faults. */
  seed: string;
  nodesPerCluster: number;
  timeScale?: number;
  /** Every machine starts working (no seeded faults). */
  healthy?: boolean;
  /** Every machine starts on this Talos release (default: a seeded mix). */
  talosVersion?: string;
}): Promise<SimulatedFleet> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), `minos-e2e-${opts.name}-`));
  const sim = await startSimulator({
    clusters: 1,
    nodesPerCluster: opts.nodesPerCluster,
    port: 0,
    stateDir,
    timeScale: opts.timeScale ?? 50,
    seed: opts.seed,
    ...(opts.healthy ? { healthy: true } : {}),
    ...(opts.talosVersion ? { talosVersion: opts.talosVersion } : {}),
  });
  const clusterNames = sim.clusters.map((c) => c.name);
  await withDb((db) => forgetClusters(db, clusterNames));
  return {
    sim,
    clusterNames,
    stateDir,
    async stop() {
      await withDb((db) => forgetClusters(db, clusterNames));
      await sim.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Removes these clusters and their credentials from the database. */
export async function forgetClusters(db: pg.Client, names: string[]): Promise<void> {
  await db.query("DELETE FROM cluster WHERE name = ANY($1)", [names]);
  await db.query("DELETE FROM talos_credential WHERE name = ANY($1)", [names]);
}

/** POST injects a fault on the node; DELETE clears its service faults. */
export async function serviceFault(
  sim: RunningSimulator,
  address: string,
  method: "POST" | "DELETE",
  body?: unknown,
): Promise<void> {
  const url = `${sim.controlUrl}/nodes/${address}/faults${method === "DELETE" ? "/service" : ""}`;
  const res = await fetch(url, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
  expect(res.ok, await res.text()).toBe(true);
}
