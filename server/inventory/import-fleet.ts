// Adds a fleet from a talosconfig: every context becomes a cluster with its endpoints, its machines
// discovered through the Talos API. All or nothing: every context is reached first, and if one
// fails nothing is stored and the message names it.
import pLimit from "p-limit";
import { importCredentials } from "../credentials/import-credentials";
import { readTalosconfig } from "../credentials/read-talosconfig";
import type { PrismaClient } from "../db/client";
import { AppError } from "../errors";
import type { SecretKey } from "../secrets/secret-key";
import { type DiscoveredMachine, DiscoveryError, discoverMembers } from "./discover-members";

export interface ImportFleetInput {
  talosconfig: string;
  /** Site per context name (e.g. from the demo fleet); otherwise clusters start without a site. */
  sites?: Record<string, string>;
  /** Site for every cluster not in `sites`. */
  site?: string;
  /** Labels per context name. */
  labels?: Record<string, Record<string, string>>;
  secretKey?: SecretKey;
  discoveryTimeoutMs?: number;
}

export interface ImportedCluster {
  name: string;
  machines: number;
}

export async function importFleet(db: PrismaClient, input: ImportFleetInput): Promise<ImportedCluster[]> {
  const contexts = readTalosconfig(input.talosconfig);
  const existing = await db.cluster.findMany({
    where: { name: { in: contexts.map((c) => c.name) } },
    select: { name: true },
  });
  if (existing.length > 0) {
    throw new AppError("CONFLICT", {
      userMessage: `Cluster ${existing.map((c) => `"${c.name}"`).join(", ")} is already in the inventory, so nothing was imported.`,
    });
  }

  const discovered = await pLimit(8).map(contexts, async (ctx) => {
    try {
      return {
        ctx,
        machines: await discoverMembers(ctx, { timeoutMs: input.discoveryTimeoutMs }),
        error: null,
      };
    } catch (err) {
      if (err instanceof DiscoveryError)
        return { ctx, machines: [] as DiscoveredMachine[], error: err.reason };
      throw err;
    }
  });
  const failed = discovered.filter((d) => d.error !== null);
  if (failed.length > 0) {
    const list = failed.map((f) => `"${f.ctx.name}" (${f.ctx.endpoints.join(", ")}): ${f.error}`).join("; ");
    throw new AppError("UNAVAILABLE", {
      userMessage: `Nothing was imported: ${failed.length} of ${contexts.length} cluster(s) could not be reached. ${list}`,
    });
  }

  await importCredentials(db, { talosconfig: input.talosconfig, secretKey: input.secretKey });
  try {
    const credentials = await db.talosCredential.findMany({
      where: { name: { in: contexts.map((c) => c.name) } },
      select: { id: true, name: true },
    });
    const credentialId = new Map(credentials.map((c) => [c.name, c.id]));
    await db.$transaction(
      async (tx) => {
        for (const { ctx, machines } of discovered) {
          const cluster = await tx.cluster.create({
            data: {
              name: ctx.name,
              endpoints: ctx.endpoints,
              site: input.sites?.[ctx.name] ?? input.site ?? "",
              labels: input.labels?.[ctx.name] ?? {},
              credentialId: credentialId.get(ctx.name) ?? null,
              discoveredAt: new Date(),
            },
          });
          await tx.machine.createMany({
            data: machines.map((m) => ({
              clusterId: cluster.id,
              hostname: m.hostname,
              address: m.address,
              role: m.role,
            })),
            skipDuplicates: true,
          });
        }
      },
      { timeout: 60_000 },
    );
  } catch (err) {
    // Keep the promise: no credential without its cluster.
    await db.talosCredential.deleteMany({ where: { name: { in: contexts.map((c) => c.name) } } });
    throw err;
  }
  return discovered.map((d) => ({ name: d.ctx.name, machines: d.machines.length }));
}
