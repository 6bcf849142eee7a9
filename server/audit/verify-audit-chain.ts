// Walks the audit chain in order and reports the first entry whose content or link was altered,
// or that follows a removed entry.
import type { PrismaClient } from "../db/client";
import { entryHash } from "./entry-hash";

/**
 * Where the chain starts: "" for a trail never pruned; after retention removed its head, the hash
 * of the last removed entry, as recorded by the prune entry itself (only if such an entry exists).
 */
async function pruneAnchor(db: PrismaClient): Promise<string> {
  const first = await db.auditEntry.findFirst({ orderBy: { id: "asc" }, select: { prevHash: true } });
  if (!first || first.prevHash === "") return "";
  const prunes = await db.auditEntry.findMany({
    where: { action: "audit.prune", actor: "system" },
    select: { details: true },
  });
  const anchored = prunes.some((p) => (p.details as { anchorHash?: string }).anchorHash === first.prevHash);
  return anchored ? first.prevHash : "";
}

export type ChainVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: bigint; reason: "altered" | "link broken" };

export async function verifyAuditChain(db: PrismaClient, batch = 5_000): Promise<ChainVerdict> {
  let prevHash = await pruneAnchor(db);
  let checked = 0;
  let after: bigint | undefined;
  for (;;) {
    const rows = await db.auditEntry.findMany({
      where: after === undefined ? {} : { id: { gt: after } },
      orderBy: { id: "asc" },
      take: batch,
    });
    if (rows.length === 0) return { ok: true, entries: checked };
    for (const row of rows) {
      if (row.prevHash !== prevHash)
        return { ok: false, entries: checked, brokenAt: row.id, reason: "link broken" };
      if (entryHash(prevHash, row) !== row.hash) {
        return { ok: false, entries: checked, brokenAt: row.id, reason: "altered" };
      }
      prevHash = row.hash;
      checked++;
      after = row.id;
    }
  }
}
