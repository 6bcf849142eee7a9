// Reads the audit trail, newest first, filtered by actor, action, target and time, one page at a
// time (keyset pagination on the id).
import type { PrismaClient } from "../../platform/db/client";
import { likeText } from "../../platform/db/like-text";

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id (the last id of the previous page). */
  before?: bigint;
  limit: number;
}

export async function listAudit(db: PrismaClient, f: AuditFilter) {
  const rows = await db.auditEntry.findMany({
    where: {
      ...(f.actor ? { actor: { contains: likeText(f.actor), mode: "insensitive" } } : {}),
      ...(f.action ? { action: { startsWith: likeText(f.action) } } : {}),
      ...(f.target ? { target: { contains: likeText(f.target), mode: "insensitive" } } : {}),
      ...(f.from || f.to
        ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } }
        : {}),
      ...(f.before ? { id: { lt: f.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: f.limit,
    select: {
      id: true,
      at: true,
      actor: true,
      action: true,
      target: true,
      address: true,
      result: true,
      details: true,
    },
  });
  return rows.map((r) => ({ ...r, id: r.id.toString() }));
}
