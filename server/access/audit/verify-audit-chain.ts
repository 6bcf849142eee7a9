// Walks the audit chain in order and reports the first entry whose content or link was altered,
// or that follows a removed entry; then checks the signed head, which tells whether entries were
// removed from the end or appended outside Minos (a hash chain alone shows neither).
import type { PrismaClient } from "../../platform/db/client";
import { instanceSecretKey } from "../../platform/secrets/instance-key";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { type AuditHeadRow, headSignature, readAuditHead } from "./audit-head";
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

export type ChainBreak =
  | "altered"
  | "link broken"
  | "tail removed"
  | "entries after the head"
  | "head missing"
  | "head unsigned"
  | "head signed by another key"
  | "head forged";

export type ChainVerdict =
  | { ok: true; entries: number; headId: bigint }
  | { ok: false; entries: number; brokenAt: bigint; reason: ChainBreak; message: string };

const RESEAL =
  ' Once you know what happened, `npm run minos -- audit reseal-head --reason "…"` signs the head over the trail as it is now (recorded in the trail).';

export async function verifyAuditChain(
  db: PrismaClient,
  { key = instanceSecretKey(), batch = 5_000 }: { key?: SecretKey; batch?: number } = {},
): Promise<ChainVerdict> {
  const head = await readAuditHead(db);
  let prevHash = await pruneAnchor(db);
  let checked = 0;
  let after: bigint | undefined;
  let newestId = 0n;
  let headSeen = head !== null && head.lastId === 0n && head.lastHash === "";
  let afterHead: bigint | null = null;
  for (;;) {
    const rows = await db.auditEntry.findMany({
      where: after === undefined ? {} : { id: { gt: after } },
      orderBy: { id: "asc" },
      take: batch,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return broken(
          checked,
          row.id,
          "link broken",
          `Entry ${row.id} does not follow the entry before it: an entry was removed or inserted.`,
        );
      }
      if (entryHash(prevHash, row) !== row.hash) {
        return broken(checked, row.id, "altered", `Entry ${row.id} was altered.`);
      }
      if (headSeen && afterHead === null) afterHead = row.id;
      if (head && row.id === head.lastId && row.hash === head.lastHash) headSeen = true;
      prevHash = row.hash;
      newestId = row.id;
      checked++;
      after = row.id;
    }
  }
  return headVerdict(key, head, { seen: headSeen, firstAfter: afterHead, newestId, entries: checked });
}

/**
 * What the signed head says of a chain that verified entry by entry: whether the head is this key's, and
 * whether it names the chain's newest entry (`seen`: the chain passed it; `firstAfter`: entries follow it).
 */
function headVerdict(
  key: SecretKey,
  head: AuditHeadRow | null,
  chain: { seen: boolean; firstAfter: bigint | null; newestId: bigint; entries: number },
): ChainVerdict {
  const { seen, firstAfter, entries, newestId } = chain;
  switch (headSignature(key, head)) {
    case "missing":
      return broken(
        entries,
        newestId,
        "head missing",
        "The trail's signed head is missing: it was removed outside Minos, so removals from the end cannot be ruled out.",
      );
    case "unsigned":
      return broken(
        entries,
        newestId,
        "head unsigned",
        "The trail's head is not signed, so removals from the end cannot be ruled out.",
      );
    case "other key":
      return broken(
        entries,
        newestId,
        "head signed by another key",
        `The trail's head was signed with another secret key (${head?.keyId}): the key was changed without \`secret-key rotate\`, or the head was replaced.`,
      );
    case "forged":
      return broken(
        entries,
        newestId,
        "head forged",
        "The signature of the trail's head does not match it: the head was changed outside Minos.",
      );
    case "signed":
      break;
  }
  const headId = head?.lastId ?? 0n;
  if (!seen) {
    return broken(
      entries,
      headId,
      "tail removed",
      `The signed head names entry ${headId}, which is no longer in the trail: entries were removed from its end (the newest left is ${newestId}).`,
    );
  }
  if (firstAfter !== null) {
    return broken(
      entries,
      firstAfter,
      "entries after the head",
      `Entries from ${firstAfter} on follow the signed head (entry ${headId}) without having moved it: they were written outside Minos, or after an earlier break was found.`,
    );
  }
  return { ok: true, entries, headId };
}

function broken(entries: number, brokenAt: bigint, reason: ChainBreak, message: string): ChainVerdict {
  const headBreak = reason !== "altered" && reason !== "link broken";
  return { ok: false, entries, brokenAt, reason, message: headBreak ? `${message}${RESEAL}` : message };
}
