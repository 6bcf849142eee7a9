// Machines by health over the last 24 hours or 7 days, rebuilt from the state history: start from
// the current counts and undo the recorded health changes, newest bucket first. Buckets are whole
// hours (24 h) or quarter days (7 d) of absolute time, the newest running up to now. Fleet-wide, the
// changes come counted per hour by the database (health_change_hour, kept by triggers), so a week is a few
// thousand rows however often machines change; the removed machines' changes (few: an index finds them)
// are taken back out, and the current, unfinished hour is counted from the history itself. A scoped
// viewer's changes are counted per hour from the history.
import { z } from "zod";
import { machineScopeSql } from "../../access/auth/scope-sql";
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";
import { HEALTH_STATES, type Health } from "../health";
import { emptyCounts } from "../health/cluster-health";

export const healthHistorySchema = z.object({ range: z.enum(["24h", "7d"]).default("24h") });

const HOUR = 3_600_000;
const RANGES = { "24h": { step: HOUR, buckets: 24 }, "7d": { step: 6 * HOUR, buckets: 28 } };

export interface HealthPoint {
  at: Date;
  counts: Record<Health, number>;
}

/** The last multiple of `step` (ms since the epoch: whole hours of absolute time) before `t`. */
const edgeBefore = (t: Date, step: number) => Math.floor((t.getTime() - 1) / step) * step;

/**
 * The points of a history, oldest first: `buckets` edges on multiples of the step, then `now`. The newest
 * edge is the last one before now, so the newest bucket is never empty and never longer than a step.
 */
function historyEdges(range: "24h" | "7d", now: Date): Date[] {
  const { step, buckets } = RANGES[range];
  const newest = edgeBefore(now, step);
  const edges = Array.from({ length: buckets }, (_, i) => new Date(newest - (buckets - 1 - i) * step));
  return [...edges, now];
}

/** What the statement returns: current counts, health changes and machines created, per hour. */
interface Group {
  kind: "now" | "change" | "created";
  /** Start of the hour (changes and creations); it holds what happened after it, up to its end. */
  hour: Date | null;
  fromValue: string | null;
  toValue: string | null;
  n: number;
}

const isHealth = (v: string | null): v is Health => (HEALTH_STATES as readonly string[]).includes(v ?? "");

/**
 * Machines in scope that are still in the inventory, as a condition on `machine_id`. Fleet-wide this is
 * "not a removed machine" (few rows, an index of its own) rather than a join with every machine.
 */
function inScope(scopes: string[], column: Prisma.Sql): Prisma.Sql {
  if (scopes.includes("")) {
    return Prisma.sql`NOT EXISTS (SELECT 1 FROM machine m WHERE m.id = ${column} AND m.removed_at IS NOT NULL)`;
  }
  return Prisma.sql`${column} IN (SELECT m.id FROM machine m WHERE m.removed_at IS NULL AND ${machineScopeSql(scopes, "m")})`;
}

/** Health changes in (from, to], per hour, counted from the history itself. */
function countedChanges(scopes: string[], from: Date, to: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT 'change' AS kind, health_change_hour_of(s.at) AS hour, s.from_value AS "fromValue",
           s.to_value AS "toValue", count(*)::int AS n
    FROM machine_state_change s
    WHERE s.field = 'health' AND s.at > ${from} AND s.at <= ${to} AND ${inScope(scopes, Prisma.sql`s.machine_id`)}
    GROUP BY 2, 3, 4`;
}

function historySql(scopes: string[], now: Date, since: Date): Prisma.Sql {
  // The hour now is in (its changes are not all counted yet): from the history; the hours before it from
  // the database's hourly counts, fleet-wide.
  const hour = new Date(edgeBefore(now, HOUR));
  const changes = scopes.includes("")
    ? Prisma.sql`
      SELECT 'change' AS kind, h.hour, h.from_value AS "fromValue", h.to_value AS "toValue", h.changes AS n
      FROM health_change_hour h WHERE h.hour >= ${since} AND h.hour < ${hour}
      UNION ALL
      SELECT 'change', health_change_hour_of(s.at), s.from_value, s.to_value, -count(*)::int
      FROM machine m JOIN machine_state_change s ON s.machine_id = m.id
      WHERE m.removed_at IS NOT NULL AND s.field = 'health' AND s.at > ${since} AND s.at <= ${hour}
      GROUP BY 2, 3, 4
      UNION ALL ${countedChanges(scopes, hour, now)}`
    : countedChanges(scopes, since, now);
  return Prisma.sql`
    ${changes}
    UNION ALL
    -- Machines that joined the inventory inside the window did not exist before: once every change of
    -- theirs is undone they are back at their first state (unknown) and leave the count there.
    SELECT 'created', health_change_hour_of(m.created_at), NULL, NULL, count(*)::int
    FROM machine m
    WHERE m.removed_at IS NULL AND m.created_at > ${since} AND ${machineScopeSql(scopes, "m")}
    GROUP BY 2
    UNION ALL
    SELECT 'now', NULL, NULL, mc.health::text, sum(mc.machines)::int
    FROM machine_count mc WHERE ${machineScopeSql(scopes, "mc")}
    GROUP BY mc.health::text`;
}

export async function getHealthHistory({
  db,
  scopes,
  range,
  now = new Date(),
}: {
  db: PrismaClient;
  scopes: string[];
  range: "24h" | "7d";
  now?: Date;
}): Promise<{ points: HealthPoint[] }> {
  const { step, buckets } = RANGES[range];
  const edges = historyEdges(range, now);
  const newestEdge = edges[buckets - 1]?.getTime() ?? now.getTime();
  const groups = await db.$queryRaw<Group[]>(historySql(scopes, now, edges[0] ?? now));
  /** Per bucket (1 = the newest, up to now), what to undo. */
  const undo = Array.from({ length: buckets + 1 }, () => ({ to: emptyCounts(), from: emptyCounts() }));
  const counts = emptyCounts();
  for (const g of groups) {
    if (g.kind === "now") {
      if (isHealth(g.toValue)) counts[g.toValue] = g.n;
      continue;
    }
    // An hour lies within one bucket: edges fall on whole hours.
    const end = (g.hour?.getTime() ?? 0) + HOUR;
    const b = end > newestEdge ? 1 : Math.floor((newestEdge - end) / step) + 2;
    const u = undo[Math.min(buckets, b)];
    if (!u) continue;
    if (g.kind === "created") u.to.unknown += g.n;
    else {
      if (isHealth(g.toValue)) u.to[g.toValue] += g.n;
      if (isHealth(g.fromValue)) u.from[g.fromValue] += g.n;
    }
  }
  const points: HealthPoint[] = [{ at: now, counts: { ...counts } }];
  for (let b = 1; b <= buckets; b++) {
    const u = undo[b];
    for (const h of HEALTH_STATES) counts[h] = Math.max(0, counts[h] - (u?.to[h] ?? 0) + (u?.from[h] ?? 0));
    points.push({ at: edges[buckets - b] ?? now, counts: { ...counts } });
  }
  return { points: points.reverse() };
}
