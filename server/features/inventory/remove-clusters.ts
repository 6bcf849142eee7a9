// Removes clusters from the inventory the way a machine leaves its cluster: the rows stay for history
// (health history, events and drift history until their retention ends), marked removed; collection,
// discovery, lists, counts and rollout planning leave them out. Refused while an unfinished rollout
// plans any of their machines.

import { AppError } from "../../model/errors";
import { untrusted } from "../../model/untrusted-text";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";

type Tx = Prisma.TransactionClient;

/** Rollout states in which a rollout still works on (or waits to work on) its machines. */
const UNFINISHED = ["pending", "running", "paused", "aborting"] as const;

export interface RemovedClusters {
  /** The clusters removed, by name. */
  clusters: string[];
  /** Their machines that were in the inventory until now. */
  machines: number;
}

/**
 * Marks the clusters with these ids and their machines removed, inside the caller's transaction (a
 * credential's removal takes its clusters with it in one). Clusters already removed are left as they are.
 */
export async function removeClustersIn(tx: Tx, ids: string[], now = new Date()): Promise<RemovedClusters> {
  if (ids.length === 0) return { clusters: [], machines: 0 };
  // Clusters first, then all their machines, each in id order: discovery (sync-members) locks the
  // machines of a cluster the same way, and a rollout being saved waits on the machine locks, then sees
  // them removed (create-rollout.ts), so no rollout can plan a machine of a cluster removed meanwhile.
  const clusters = await tx.$queryRaw<Array<{ id: string; name: string }>>`
    SELECT id::text AS id, name FROM cluster
    WHERE id = ANY(${ids}::uuid[]) AND removed_at IS NULL ORDER BY id FOR UPDATE`;
  if (clusters.length === 0) return { clusters: [], machines: 0 };
  const clusterIds = clusters.map((c) => c.id);
  await tx.$queryRaw`SELECT id FROM machine WHERE cluster_id = ANY(${clusterIds}::uuid[]) ORDER BY id FOR UPDATE`;

  const busy = await tx.rolloutMachine.findMany({
    where: { machine: { clusterId: { in: clusterIds } }, rollout: { status: { in: [...UNFINISHED] } } },
    distinct: ["rolloutId"],
    take: 3,
    select: {
      rollout: { select: { name: true, status: true } },
      machine: { select: { cluster: { select: { name: true } } } },
    },
  });
  if (busy.length > 0) {
    const rollouts = busy.map((b) => `"${untrusted(b.rollout.name)}" (${b.rollout.status})`).join(", ");
    const names = [...new Set(busy.map((b) => `"${b.machine.cluster.name}"`))].join(", ");
    throw new AppError("CONFLICT", {
      userMessage: `Cluster ${names} has machines in the unfinished rollout${busy.length > 1 ? "s" : ""} ${rollouts}, so nothing was removed. Wait until it has finished, or abort it, then remove the cluster.`,
    });
  }

  const machines = await tx.machine.findMany({
    where: { clusterId: { in: clusterIds }, removedAt: null },
    select: { id: true },
  });
  await tx.machine.updateMany({
    where: { id: { in: machines.map((m) => m.id) } },
    data: { removedAt: now },
  });
  await tx.machineStateChange.createMany({
    data: machines.map((m) => ({
      machineId: m.id,
      at: now,
      field: "membership",
      fromValue: "member",
      toValue: "left",
      reason: "its cluster was removed from Minos",
    })),
  });
  await tx.cluster.updateMany({ where: { id: { in: clusterIds } }, data: { removedAt: now } });
  // The collector holding a cluster stops at its next lease round: the lease is gone and cannot be taken again.
  await tx.clusterLease.deleteMany({ where: { clusterId: { in: clusterIds } } });
  return { clusters: clusters.map((c) => c.name).sort(), machines: machines.length };
}

/** Removes one cluster by name. Not found (as for one that does not exist) when it is already removed. */
export async function removeCluster({
  db,
  name,
  now,
}: {
  db: PrismaClient;
  name: string;
  now?: Date;
}): Promise<RemovedClusters> {
  return db.$transaction(async (tx) => {
    const found = await tx.cluster.findFirst({ where: { name, removedAt: null }, select: { id: true } });
    if (!found) throw new AppError("NOT_FOUND", { userMessage: `There is no cluster named "${name}".` });
    return removeClustersIn(tx, [found.id], now);
  });
}
