// Keeps discovering machines as they join or leave: every cluster's membership is read again
// periodically. With several Minos instances, one pass runs at a time (a Postgres advisory lock).
import pLimit from "p-limit";
import type { Logger } from "pino";
import type { PrismaClient } from "../../platform/db/client";
import { credentialFor } from "../credentials/credential-for";
import { DiscoveryError, discoverMembers } from "./discover-members";
import { syncMembers } from "./sync-members";

/** Advisory lock key for a discovery pass. */
const DISCOVERY_LOCK = 0x6d696e64;

export async function discoveryPass(
  db: PrismaClient,
  log: Logger,
): Promise<{ clusters: number; failed: number }> {
  // A transaction-scoped lock: it lives on the transaction's one connection and ends with it. (A
  // session lock taken and released through the pool can land on two different connections, and
  // then is never released.)
  return db.$transaction(
    async (tx) => {
      const [{ locked }] = await tx.$queryRaw<
        [{ locked: boolean }]
      >`SELECT pg_try_advisory_xact_lock(${DISCOVERY_LOCK}) AS locked`;
      if (!locked) return { clusters: 0, failed: 0 };
      let failed = 0;
      // Removed clusters are not asked any more (their credential may be gone with them).
      const clusters = await db.cluster.findMany({
        where: { removedAt: null },
        select: { id: true, name: true },
      });
      // 16 clusters at a time; a slow one does not hold up the others.
      await pLimit(16).map(clusters, async (c) => {
        try {
          // The least-privileged credential that can read (an os:reader one when configured).
          const context = await credentialFor(db, c.name, "read");
          const members = await discoverMembers(context, { timeoutMs: 10_000 });
          const r = await syncMembers(db, c.id, members);
          if (r.added || r.removed || r.restored)
            log.info({ cluster: c.name, ...r }, "cluster membership changed");
        } catch (err) {
          failed++;
          const reason = err instanceof DiscoveryError ? err.reason : (err as Error).message;
          await db.cluster.update({ where: { id: c.id }, data: { discoveryError: reason } });
          log.warn({ cluster: c.name, reason }, "discovery failed");
        }
      });
      return { clusters: clusters.length, failed };
    },
    // The pass reads every cluster over the network: far longer than Prisma's default 5 s.
    { maxWait: 10_000, timeout: 30 * 60_000 },
  );
}

/** Runs a discovery pass now and then every `intervalMs`; returns the function that stops it. */
export function startDiscovery(db: PrismaClient, log: Logger, intervalMs = 60_000): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = discoveryPass(db, log).catch((err) => log.error({ err }, "discovery pass failed"));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
