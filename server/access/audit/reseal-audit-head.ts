// Re-signs the audit head over the trail as it is now, after an administrator looked into a break
// `audit verify` reported. The reseal is itself an entry naming who did it, why, and the head it
// replaced, so the break stays on record after the head is whole again.
import type { PrismaClient } from "../../platform/db/client";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { headSignature, newestEntry, readAuditHead, signAuditHead } from "./audit-head";
import { appendAudit } from "./record-audit";

export async function resealAuditHead(
  db: PrismaClient,
  key: SecretKey,
  input: { actor: string; reason: string },
): Promise<{ previousHead: string; newestId: bigint }> {
  return db.$transaction(async (tx) => {
    const head = await readAuditHead(tx);
    const newest = await newestEntry(tx);
    const signature = headSignature(key, head);
    const previousHead = head
      ? `${signature}, naming entry ${head.lastId}${head.lastId === newest.id && head.lastHash === newest.hash ? " (the newest)" : ""}`
      : "missing";
    const id = await appendAudit(tx, {
      actor: input.actor,
      action: "audit.resealHead",
      target: "audit",
      result: "ok",
      details: { reason: input.reason, previousHead, newestBefore: newest.id.toString() },
    });
    const entry = await tx.auditEntry.findUniqueOrThrow({ where: { id }, select: { id: true, hash: true } });
    await signAuditHead(tx, key, entry);
    return { previousHead, newestId: id };
  });
}
