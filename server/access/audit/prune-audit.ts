// Audit retention: removes entries older than the retention period, oldest first, in one
// transaction with an entry of its own that records the removal and anchors the chain (it names
// the hash of the last removed entry, which the first remaining entry links to). The database
// refuses any other removal (see the audit_head migration): recent entries, entries with older ones
// left behind, or a removal without its audit.prune entry.
import type { PrismaClient } from "../../platform/db/client";
import { AUDIT_CHAIN_LOCK } from "./audit-head";
import { appendAudit } from "./record-audit";

export async function pruneAudit(
  db: PrismaClient,
  opts: { olderThanDays: number },
): Promise<{ removed: number }> {
  const cutoff = new Date(Date.now() - opts.olderThanDays * 86_400_000);
  return db.$transaction(async (tx) => {
    // Under the chain lock from the start: two instances pruning at once remove each entry once.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
    const last = await tx.auditEntry.findFirst({
      where: { at: { lt: cutoff } },
      orderBy: { id: "desc" },
      select: { id: true, hash: true },
    });
    if (!last) return { removed: 0 };
    const removing = await tx.auditEntry.count({ where: { id: { lte: last.id } } });
    await appendAudit(tx, {
      actor: "system",
      action: "audit.prune",
      result: "ok",
      details: {
        removed: removing,
        olderThanDays: opts.olderThanDays,
        throughId: last.id.toString(),
        anchorHash: last.hash,
      },
    });
    const { count } = await tx.auditEntry.deleteMany({ where: { id: { lte: last.id } } });
    return { removed: count };
  });
}
