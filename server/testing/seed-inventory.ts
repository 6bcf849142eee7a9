// Inventory rows for tests and benchmarks, written straight to the database (no simulator, no
// collector): clusters with sites and labels, machines with live state, and health history.

import type { Health } from "../features/health";
import type { PrismaClient } from "../platform/db/client";

export interface SeedMachine {
  hostname: string;
  role?: "controlplane" | "worker";
  health?: Health;
  healthReason?: string;
  /** Own site override; omitted = inherit the cluster's. */
  site?: string;
  labels?: Record<string, string>;
  talosVersion?: string;
  kubernetesVersion?: string;
  healthSince?: Date;
  services?: Array<{ id: string; state: string; healthy: boolean; unknown: boolean }>;
}

export interface SeedCluster {
  name: string;
  site?: string;
  labels?: Record<string, string>;
  health?: Health;
  machines: SeedMachine[];
}

const RUNNING = (id: string) => ({ id, state: "Running", healthy: true, unknown: false });

/** Creates the clusters and machines; returns machine ids by "<cluster>/<hostname>". */
export async function seedInventory(db: PrismaClient, clusters: SeedCluster[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const now = new Date();
  for (const [ci, c] of clusters.entries()) {
    const cluster = await db.cluster.create({
      data: {
        name: c.name,
        site: c.site ?? "",
        labels: c.labels ?? {},
        endpoints: [`10.${ci >> 8}.${ci & 255}.1`],
        health: c.health ?? "healthy",
      },
    });
    for (const [mi, m] of c.machines.entries()) {
      const role = m.role ?? (mi === 0 ? "controlplane" : "worker");
      const row = await db.machine.create({
        data: {
          clusterId: cluster.id,
          hostname: m.hostname,
          address: `10.${ci >> 8}.${ci & 255}.${mi + 1}`,
          role,
          site: m.site ?? null,
          labels: m.labels ?? {},
          talosVersion: m.talosVersion ?? "v1.11.5",
          kubernetesVersion: m.kubernetesVersion ?? "v1.34.1",
          stage: "running",
          ready: (m.health ?? "healthy") === "healthy",
          reachable: m.health !== "unreachable",
          lastSeenAt: now,
          health: m.health ?? "healthy",
          healthReason: m.healthReason ?? "",
          healthSince: m.healthSince ?? now,
          services:
            m.services ??
            (role === "controlplane"
              ? ["apid", "etcd", "kubelet", "machined"]
              : ["apid", "kubelet", "machined"]
            ).map(RUNNING),
        },
      });
      ids.set(`${c.name}/${m.hostname}`, row.id);
    }
  }
  return ids;
}

const HEALTH_MIX: Health[] = ["unhealthy", "unreachable", "degraded", "upgrading", "unknown"];

/**
 * A large fleet in bulk (benchmarks): `clusters` clusters of `perCluster` machines over regions,
 * countries and stores, mixed versions, about 2 % of machines not healthy, and health history over the
 * last 7 days (machines joined 30 days ago, before it).
 */
export async function seedLargeFleet(
  db: PrismaClient,
  {
    clusters,
    perCluster,
    historyPerMachine = 2,
  }: { clusters: number; perCluster: number; historyPerMachine?: number },
): Promise<void> {
  const regions = [
    ["eu", ["dk", "se", "de", "fr", "nl"]],
    ["us", ["ca", "tx", "ny"]],
    ["ap", ["jp", "sg"]],
  ] as const;
  const countries = regions.flatMap(([r, cs]) => cs.map((c) => `${r}/${c}`));
  const talos = ["v1.11.5", "v1.11.5", "v1.11.5", "v1.10.7", "v1.12.0"];
  const now = Date.now();
  const clusterRows = Array.from({ length: clusters }, (_, i) => ({
    id: crypto.randomUUID(),
    name: `store-${String(i).padStart(4, "0")}`,
    site: `${countries[i % countries.length]}/store-${String(i).padStart(4, "0")}`,
    labels: { tier: i % 10 === 0 ? "flagship" : "standard", ...(i % 50 === 0 ? { canary: "true" } : {}) },
    endpoints: [`10.${i >> 8}.${i & 255}.1`],
    health: "healthy" as Health,
  }));
  for (let i = 0; i < clusterRows.length; i += 500) {
    await db.cluster.createMany({ data: clusterRows.slice(i, i + 500) });
  }
  const machines = clusterRows.flatMap((c, ci) =>
    Array.from({ length: perCluster }, (_, mi) => {
      const n = ci * perCluster + mi;
      const health: Health =
        n % 50 === 7 ? (HEALTH_MIX[((n / 50) % HEALTH_MIX.length) | 0] ?? "degraded") : "healthy";
      return {
        id: crypto.randomUUID(),
        clusterId: c.id,
        hostname: `${c.name}-${mi < 3 ? "cp" : "w"}-${mi + 1}`,
        address: `10.${ci >> 8}.${ci & 255}.${mi + 1}`,
        role: (mi < 3 ? "controlplane" : "worker") as "controlplane" | "worker",
        labels: mi % 4 === 0 ? { accelerator: "gpu" } : {},
        talosVersion: talos[ci % talos.length] ?? "v1.11.5",
        kubernetesVersion: ci % 3 === 0 ? "v1.33.4" : "v1.34.1",
        stage: "running",
        ready: health === "healthy",
        reachable: health !== "unreachable",
        lastSeenAt: new Date(now),
        createdAt: new Date(now - 30 * 24 * 3600_000),
        health,
        healthReason: health === "healthy" ? "" : `simulated ${health}`,
        healthSince: new Date(now - (n % 1000) * 60_000),
        services: [RUNNING("apid"), RUNNING("kubelet"), RUNNING("machined")],
      };
    }),
  );
  for (let i = 0; i < machines.length; i += 1000) {
    await db.machine.createMany({ data: machines.slice(i, i + 1000) });
  }
  const history = machines.flatMap((m, i) =>
    Array.from({ length: historyPerMachine }, (_, k) => ({
      machineId: m.id,
      at: new Date(now - ((i * 7919 + k * 3571) % (7 * 24 * 60)) * 60_000),
      field: "health",
      fromValue: k % 2 === 0 ? "healthy" : "degraded",
      toValue: k % 2 === 0 ? "degraded" : "healthy",
      reason: "",
    })),
  );
  for (let i = 0; i < history.length; i += 2000) {
    await db.machineStateChange.createMany({ data: history.slice(i, i + 2000) });
  }
}
