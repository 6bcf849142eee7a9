// For tests and benchmarks: puts a simulator's clusters, machines and credentials into a database the way
// import and discovery would, so the collector has rows to work on.

import type { RunningSimulator } from "@/sim";
import { renderTalosconfig } from "@/sim";
import { importCredentials } from "../features/credentials/import-credentials";
import type { PrismaClient } from "../platform/db/client";
import type { SecretKey } from "../platform/secrets/secret-key";
import { parseTalosconfig } from "../talos/talosconfig";

/** What seeding needs of a simulator: its talosconfig and fleet (as `startSimulator` or `GET /fleet` give them). */
export interface SimFleetView {
  talosconfig: string;
  clusters: Array<{
    name: string;
    nodes: Array<{ hostname: string; address: string; role: "controlplane" | "worker" }>;
  }>;
}

export async function seedFleet(db: PrismaClient, sim: SimFleetView, secretKey: SecretKey): Promise<void> {
  const contexts = parseTalosconfig(sim.talosconfig).contexts;
  // A talosconfig upload is capped at 256 KiB: import a big fleet's contexts 50 at a time.
  for (let i = 0; i < contexts.length; i += 50) {
    const talosconfig = renderTalosconfig(contexts.slice(i, i + 50));
    await importCredentials(db, { talosconfig, secretKey });
  }
  const endpoints = new Map(contexts.map((c) => [c.name, c.endpoints]));
  const credentials = await db.talosCredential.findMany({ select: { id: true, name: true } });
  const byName = new Map(credentials.map((c) => [c.name, c.id]));
  await db.cluster.createMany({
    data: sim.clusters.map((c) => ({
      name: c.name,
      endpoints: endpoints.get(c.name) ?? [],
      credentialId: byName.get(c.name) ?? null,
    })),
  });
  const clusters = await db.cluster.findMany({ select: { id: true, name: true } });
  const clusterId = new Map(clusters.map((c) => [c.name, c.id]));
  const machines = sim.clusters.flatMap((c) =>
    c.nodes.map((n) => ({
      clusterId: clusterId.get(c.name) as string,
      hostname: n.hostname,
      address: n.address,
      role: n.role,
    })),
  );
  for (let i = 0; i < machines.length; i += 1000) {
    await db.machine.createMany({ data: machines.slice(i, i + 1000) });
  }
}

/** Posts a fault to the simulator's control API. */
export async function injectFault(
  sim: Pick<RunningSimulator, "controlUrl">,
  node: string,
  body: Record<string, unknown>,
): Promise<void> {
  const res = await fetch(`${sim.controlUrl}/nodes/${node}/faults`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
}

export async function clearFaults(
  sim: Pick<RunningSimulator, "controlUrl">,
  node: string,
  kind?: string,
): Promise<void> {
  const res = await fetch(`${sim.controlUrl}/nodes/${node}/faults${kind ? `/${kind}` : ""}`, {
    method: "DELETE",
  });
  if (!res.ok) throw new Error(`faults not cleared: ${res.status} ${await res.text()}`);
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with the last value seen. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
}
