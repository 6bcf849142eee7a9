// Retention's way of removing old rows: a statement that deletes at most `batch` rows, run again until it
// deletes fewer, so a large backlog never holds one long transaction or lock.
export const RETENTION_BATCH = 10_000;

export async function deleteInBatches(
  deleteBatch: (batch: number) => Promise<number>,
  batch = RETENTION_BATCH,
): Promise<{ removed: number }> {
  let removed = 0;
  for (;;) {
    const n = await deleteBatch(batch);
    removed += n;
    if (n < batch) return { removed };
  }
}

/** The moment `days` before `now`: what is older is past its retention. */
export function retentionCutoff(days: number, now = new Date()): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
