// Appends an audit entry to the hash chain and moves the signed head onto it. Appends are
// serialised by a transaction-scoped advisory lock so the chain stays linear with several Minos
// instances on one database.
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { logger } from "../../platform/observability/logger";
import { instanceSecretKey } from "../../platform/secrets/instance-key";
import { AUDIT_CHAIN_LOCK, headNames, newestEntry, readAuditHead, signAuditHead } from "./audit-head";
import { type AuditContent, entryHash } from "./entry-hash";

export type AuditResult = "ok" | "denied" | "error";

export interface AuditInput {
  actor: string;
  action: string;
  target?: string | null;
  address?: string | null;
  result: AuditResult;
  details?: Record<string, unknown>;
}

let warnedBrokenHead = false;

export async function recordAudit(db: PrismaClient, input: AuditInput): Promise<void> {
  await db.$transaction((tx) => appendAudit(tx, input));
}

/** Appends within the caller's transaction (which then holds the chain lock until it ends). */
export async function appendAudit(tx: Prisma.TransactionClient, input: AuditInput): Promise<bigint> {
  const key = instanceSecretKey();
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await newestEntry(tx);
  const head = await readAuditHead(tx);
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
  const hash = entryHash(last.hash, content);
  const { id } = await tx.auditEntry.create({
    data: { ...content, details: content.details as object, prevHash: last.hash, hash },
    select: { id: true },
  });
  if (headNames(key, head, last)) {
    await signAuditHead(tx, key, { id, hash });
  } else if (!warnedBrokenHead) {
    warnedBrokenHead = true;
    logger().error(
      "The audit trail's signed head does not name its newest entry: entries may have been removed or " +
        "added outside Minos. Run `npm run minos -- audit verify`; the head stays where it was until " +
        "`npm run minos -- audit reseal-head` is run.",
    );
  }
  return id;
}
