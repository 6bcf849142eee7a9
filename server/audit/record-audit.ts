// Appends an audit entry to the hash chain. Appends are serialised by a transaction-scoped
// advisory lock so the chain stays linear with several Minos instances on one database.
import type { PrismaClient } from "../db/client";
import { type AuditContent, entryHash } from "./entry-hash";

/** Advisory lock key for appending to the audit chain ("minosaud" in ASCII, truncated). */
const AUDIT_CHAIN_LOCK = 0x6d696e6f;

export type AuditResult = "ok" | "denied" | "error";

export interface AuditInput {
  actor: string;
  action: string;
  target?: string | null;
  address?: string | null;
  result: AuditResult;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: PrismaClient, input: AuditInput): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
    const last = await tx.auditEntry.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
    const prevHash = last?.hash ?? "";
    // Millisecond precision: what timestamptz(3) keeps, so the hash verifies after a round trip.
    const content: AuditContent = {
      at: new Date(Math.floor(Date.now())),
      actor: input.actor,
      action: input.action,
      target: input.target ?? null,
      address: input.address ?? null,
      result: input.result,
      details: JSON.parse(JSON.stringify(input.details ?? {})),
    };
    await tx.auditEntry.create({
      data: {
        ...content,
        details: content.details as object,
        prevHash,
        hash: entryHash(prevHash, content),
      },
    });
  });
}
