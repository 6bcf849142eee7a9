// Reading, checking and moving the audit trail's signed head (see head-mac.ts). A head is moved only
// when it is valid and names the newest entry: after a truncation or a forged head it stays where it
// was, so the break stays visible to `audit verify` until an administrator re-seals it.
import type { Prisma } from "../../platform/db/generated/client";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { headKeyId, headMac, headMacMatches } from "./head-mac";

/** Advisory lock key for appending to the audit chain ("mino" in ASCII). */
export const AUDIT_CHAIN_LOCK = 0x6d696e6f;

type Tx = Prisma.TransactionClient;

export interface AuditHeadRow {
  lastId: bigint;
  lastHash: string;
  keyId: string | null;
  mac: string | null;
}

/** What is wrong with a head, or "signed" when it is a head this key signed. */
export type HeadSignature = "signed" | "missing" | "unsigned" | "other key" | "forged";

export function headSignature(key: SecretKey, head: AuditHeadRow | null): HeadSignature {
  if (!head) return "missing";
  if (head.mac === null) return "unsigned";
  if (head.keyId !== headKeyId(key)) return "other key";
  return headMacMatches(key, head.lastId, head.lastHash, head.mac) ? "signed" : "forged";
}

export function readAuditHead(tx: Tx): Promise<AuditHeadRow | null> {
  return tx.auditHead.findUnique({
    where: { id: 1 },
    select: { lastId: true, lastHash: true, keyId: true, mac: true },
  });
}

/** The chain's newest entry, or the empty chain's "id 0, no hash". */
export async function newestEntry(tx: Tx): Promise<{ id: bigint; hash: string }> {
  const last = await tx.auditEntry.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } });
  return last ?? { id: 0n, hash: "" };
}

/** Whether the head is this key's and names exactly this entry: the chain ends where it was signed. */
export function headNames(key: SecretKey, head: AuditHeadRow | null, entry: { id: bigint; hash: string }) {
  return headSignature(key, head) === "signed" && head?.lastId === entry.id && head.lastHash === entry.hash;
}

/** Signs the head over an entry (the caller holds the audit chain lock). */
export async function signAuditHead(tx: Tx, key: SecretKey, entry: { id: bigint; hash: string }) {
  const data = {
    lastId: entry.id,
    lastHash: entry.hash,
    keyId: headKeyId(key),
    mac: headMac(key, entry.id, entry.hash),
    signedAt: new Date(),
  };
  await tx.auditHead.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
}

/**
 * Moves a whole head to a new secret key (key rotation, in the rotation's transaction); a head that
 * was already broken stays as it is, so the break is still reported after the rotation.
 */
export async function carryAuditHead(tx: Tx, keys: { from: SecretKey; to: SecretKey }): Promise<boolean> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const newest = await newestEntry(tx);
  if (!headNames(keys.from, await readAuditHead(tx), newest)) return false;
  await signAuditHead(tx, keys.to, newest);
  return true;
}
