// Event retention: removes events that arrived more than the retention period ago (by Minos's clock, not
// the node's), in batches.
import type { PrismaClient } from "../../platform/db/client";
import { deleteInBatches, retentionCutoff } from "../../platform/db/delete-in-batches";

export function pruneEvents(
  db: PrismaClient,
  opts: { olderThanDays: number; now?: Date },
): Promise<{ removed: number }> {
  const cutoff = retentionCutoff(opts.olderThanDays, opts.now);
  return deleteInBatches(
    (batch) => db.$executeRaw`
      DELETE FROM machine_event WHERE id IN (SELECT id FROM machine_event WHERE received_at < ${cutoff} LIMIT ${batch})`,
  );
}
