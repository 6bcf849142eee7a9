// Walks the audit chain in order and reports the first entry whose content or link was altered,
// or that follows a removed entry.
import type { PrismaClient } from "../db/client";
import { entryHash } from "./entry-hash";

export type ChainVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: bigint; reason: "altered" | "link broken" };

export async function verifyAuditChain(db: PrismaClient, batch = 5_000): Promise<ChainVerdict> {
  let prevHash = "";
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
