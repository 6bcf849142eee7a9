// Removes a credential; clusters that pointed at it keep their other credentials, if any. Given a way to
// remove clusters (the inventory's), it removes in the same transaction the clusters it alone reached (no
// other credential of its CA is left).

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { authorityKey } from "./authority";

/** Removes clusters by id within the caller's transaction, returning the names removed. */
export type RemoveClusters = (tx: Prisma.TransactionClient, ids: string[]) => Promise<{ clusters: string[] }>;

export async function removeCredential(
  db: PrismaClient,
  name: string,
  opts: { removeClusters?: RemoveClusters } = {},
): Promise<{ unlinkedClusters: string[]; removedClusters: string[] }> {
  return db.$transaction(async (tx) => {
    const found = await tx.talosCredential.findUnique({
      where: { name },
      select: {
        id: true,
        caPem: true,
        clusters: { where: { removedAt: null }, select: { id: true, name: true }, orderBy: { name: "asc" } },
      },
    });
    if (!found) throw new AppError("NOT_FOUND", { userMessage: `There is no credential named "${name}".` });
    let removedClusters: string[] = [];
    if (opts.removeClusters && found.clusters.length > 0) {
      const sameCa = await tx.talosCredential.findMany({
        where: { id: { not: found.id } },
        select: { caPem: true },
      });
      const alone = !sameCa.some((c) => authorityKey(c.caPem) === authorityKey(found.caPem));
      if (alone) {
        const removed = await opts.removeClusters(
          tx,
          found.clusters.map((c) => c.id),
        );
        removedClusters = removed.clusters;
      }
    }
    // The clusters' link is set to null by the foreign key (ON DELETE SET NULL).
    await tx.talosCredential.delete({ where: { id: found.id } });
    return {
      unlinkedClusters: found.clusters.map((c) => c.name).filter((n) => !removedClusters.includes(n)),
      removedClusters,
    };
  });
}
