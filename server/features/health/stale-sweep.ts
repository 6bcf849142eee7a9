// Health nobody keeps current: when no Minos instance holds a cluster's lease (collection is off
// everywhere, or every collector died), its machines' stored verdicts would stay "healthy" forever.
// Every instance sweeps such machines to "unknown" once they are older than the staleness limit, with
// a history entry, so counts, filters and rows all say "unknown" instead of a stale "healthy".
import type { PrismaClient } from "../../platform/db/client";
import { DEFAULT_STALE_AFTER_MS } from "./machine-health";

const SWEEP_MACHINES = `
WITH target AS (
  SELECT m.id, m.health::text AS old
  FROM machine m
  WHERE m.removed_at IS NULL
    AND m.health NOT IN ('unknown', 'unreachable')
    AND coalesce(m.last_seen_at, m.health_since) < now() - make_interval(secs => $1)
    AND NOT EXISTS (SELECT 1 FROM cluster_lease l WHERE l.cluster_id = m.cluster_id AND l.expires_at > now())
  FOR UPDATE OF m SKIP LOCKED
), swept AS (
  UPDATE machine m SET health = 'unknown', health_reason = $2, health_since = now(), updated_at = now()
  FROM target t WHERE m.id = t.id
  RETURNING m.id, t.old
)
INSERT INTO machine_state_change (machine_id, at, field, from_value, to_value, reason)
SELECT id, now(), 'health', old, 'unknown', $2 FROM swept`;

const SWEEP_CLUSTERS = `
UPDATE cluster c SET health = 'unknown', health_reason = $2, health_since = now(), updated_at = now()
WHERE c.health <> 'unknown'
  AND c.health_since < now() - make_interval(secs => $1)
  AND NOT EXISTS (SELECT 1 FROM cluster_lease l WHERE l.cluster_id = c.id AND l.expires_at > now())
  AND NOT EXISTS (
    SELECT 1 FROM machine m
    WHERE m.cluster_id = c.id AND m.removed_at IS NULL AND m.last_seen_at >= now() - make_interval(secs => $1))`;

export const NOT_COLLECTED =
  "no fresh state: no Minos instance is collecting this cluster (state collection is off or its instance stopped)";

/** Marks machines and clusters nobody collects as unknown; returns how many of each. */
export async function sweepStaleHealth(
  db: PrismaClient,
  staleAfterMs = DEFAULT_STALE_AFTER_MS,
): Promise<{ machines: number; clusters: number }> {
  const secs = staleAfterMs / 1000;
  const machines = await db.$executeRawUnsafe(SWEEP_MACHINES, secs, NOT_COLLECTED);
  const clusters = await db.$executeRawUnsafe(SWEEP_CLUSTERS, secs, NOT_COLLECTED);
  return { machines, clusters };
}
