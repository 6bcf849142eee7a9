// Removes a credential; clusters that pointed at it keep their other credentials, if any.
import type { PrismaClient } from "../db/client";
import { AppError } from "../errors";

export async function removeCredential(
  db: PrismaClient,
  name: string,
): Promise<{ unlinkedClusters: string[] }> {
  return db.$transaction(async (tx) => {
    const found = await tx.talosCredential.findUnique({
      where: { name },
      select: { id: true, clusters: { select: { name: true }, orderBy: { name: "asc" } } },
    });
    if (!found) throw new AppError("NOT_FOUND", { userMessage: `There is no credential named "${name}".` });
    // The clusters' link is set to null by the foreign key (ON DELETE SET NULL).
    await tx.talosCredential.delete({ where: { id: found.id } });
    return { unlinkedClusters: found.clusters.map((c) => c.name) };
  });
}
