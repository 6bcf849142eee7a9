// Audit retention: removes entries older than the retention period, oldest first, and records
// the removal as an entry of its own that anchors the chain: it names the hash of the last removed
// entry, which the first remaining entry links to.
import type { PrismaClient } from "../db/client";
import { recordAudit } from "./record-audit";

export async function pruneAudit(
  db: PrismaClient,
  opts: { olderThanDays: number },
): Promise<{ removed: number }> {
  const cutoff = new Date(Date.now() - opts.olderThanDays * 86_400_000);
  const last = await db.auditEntry.findFirst({
    where: { at: { lt: cutoff } },
    orderBy: { id: "desc" },
    select: { id: true, hash: true },
  });
  if (!last) return { removed: 0 };
  const removed = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('minos.audit_prune', 'on', true)`;
    const r = await tx.auditEntry.deleteMany({ where: { id: { lte: last.id } } });
    return r.count;
  });
  await recordAudit(db, {
    actor: "system",
    action: "audit.prune",
    result: "ok",
    details: {
      removed,
      olderThanDays: opts.olderThanDays,
      throughId: last.id.toString(),
      anchorHash: last.hash,
    },
  });
  return { removed };
}
