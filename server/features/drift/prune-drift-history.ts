// Drift history retention: removes drift events (appeared, changed, cleared) recorded more than the retention
// period ago, in batches. Current drift items keep their "since", so pruning never changes what is drifted or
// since when.
import type { PrismaClient } from "../../platform/db/client";
import { deleteInBatches, retentionCutoff } from "../../platform/db/delete-in-batches";

export function pruneDriftHistory(
  db: PrismaClient,
  opts: { olderThanDays: number; now?: Date },
): Promise<{ removed: number }> {
  const cutoff = retentionCutoff(opts.olderThanDays, opts.now);
  return deleteInBatches(
    (batch) => db.$executeRaw`
      DELETE FROM drift_event WHERE id IN (SELECT id FROM drift_event WHERE at < ${cutoff} LIMIT ${batch})`,
  );
}
