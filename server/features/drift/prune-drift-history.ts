// Drift history retention: removes drift events (appeared, changed, cleared) recorded more than the retention
// period ago, in batches so a large backlog never holds one long transaction. Current drift items keep their
// "since", so pruning never changes what is drifted or since when.
import type { PrismaClient } from "../../platform/db/client";

const BATCH = 10_000;

export async function pruneDriftHistory(
  db: PrismaClient,
  opts: { olderThanDays: number; now?: Date },
): Promise<{ removed: number }> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - opts.olderThanDays * 86_400_000);
  let removed = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM drift_event WHERE id IN (
        SELECT id FROM drift_event WHERE at < ${cutoff} LIMIT ${BATCH})`;
    removed += n;
    if (n < BATCH) return { removed };
  }
}
