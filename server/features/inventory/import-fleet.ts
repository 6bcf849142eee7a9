// Adds a fleet from a talosconfig: every context becomes a cluster with its endpoints, its machines
// discovered through the Talos API. All or nothing: every context is reached first, and if one
// fails nothing is stored and the message names it. A cluster removed earlier under the same name comes
// back with its history, its machines that are members again restored.
import pLimit from "p-limit";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { importCredentials } from "../credentials/import-credentials";
import { readTalosconfig } from "../credentials/read-talosconfig";
import { type DiscoveredMachine, DiscoveryError, discoverMembers } from "./discover-members";
import { syncMembers } from "./sync-members";

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
    select: { id: true, name: true, removedAt: true },
  });
  const removed = new Map(existing.filter((c) => c.removedAt).map((c) => [c.name, c.id]));
  const present = existing.filter((c) => !c.removedAt);
  if (present.length > 0) {
    throw new AppError("CONFLICT", {
      userMessage: `Cluster ${present.map((c) => `"${c.name}"`).join(", ")} is already in the inventory, so nothing was imported.`,
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
          const removedId = removed.get(ctx.name);
          if (removedId) {
            // Guarded: a concurrent import of the same name brings it back once.
            const back = await tx.cluster.updateMany({
              where: { id: removedId, removedAt: { not: null } },
              data: {
                removedAt: null,
                endpoints: ctx.endpoints,
                site: input.sites?.[ctx.name] ?? input.site,
                labels: input.labels?.[ctx.name],
                credentialId: credentialId.get(ctx.name) ?? null,
                discoveryError: null,
              },
            });
            if (back.count !== 1) {
              throw new AppError("CONFLICT", {
                userMessage: `Cluster "${ctx.name}" is already in the inventory, so nothing was imported.`,
              });
            }
            continue;
          }
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
  // Machines of a cluster brought back: members again are restored (and new ones added), as discovery does.
  for (const { ctx, machines } of discovered) {
    const removedId = removed.get(ctx.name);
    if (removedId) await syncMembers(db, removedId, machines);
  }
  return discovered.map((d) => ({ name: d.ctx.name, machines: d.machines.length }));
}
