// Signs the audit head the audit_head migration created unsigned: only by the process that applied
// that migration, right after applying it (a trail written before heads existed is trusted as it is
// then). Any other unsigned or missing head stays a break that `audit verify` reports, so removing
// the head cannot make Minos sign a truncated trail.
import type { PrismaClient } from "../../platform/db/client";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { AUDIT_CHAIN_LOCK, newestEntry, readAuditHead, signAuditHead } from "./audit-head";

export const AUDIT_HEAD_MIGRATION = "20261207180000_audit_head";

export async function adoptAuditHead(
  db: PrismaClient,
  key: SecretKey,
  appliedMigrations: readonly string[],
): Promise<boolean> {
  if (!appliedMigrations.includes(AUDIT_HEAD_MIGRATION)) return false;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
    const head = await readAuditHead(tx);
    if (head?.mac !== null) return false;
    await signAuditHead(tx, key, await newestEntry(tx));
    return true;
  });
}
