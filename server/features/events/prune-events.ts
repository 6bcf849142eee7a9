// Event retention: removes events that arrived more than the retention period ago, in batches so a
// large backlog never holds one long transaction.
import type { PrismaClient } from "../../platform/db/client";

const BATCH = 10_000;

export async function pruneEvents(
  db: PrismaClient,
  opts: { olderThanDays: number; now?: Date },
): Promise<{ removed: number }> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - opts.olderThanDays * 86_400_000);
  let removed = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM machine_event WHERE id IN (
        SELECT id FROM machine_event WHERE received_at < ${cutoff} LIMIT ${BATCH})`;
    removed += n;
    if (n < BATCH) return { removed };
  }
}
