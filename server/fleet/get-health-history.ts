// Machines by health over the last 24 hours or 7 days, rebuilt from the state history: start from
// the current counts and undo the recorded health changes, newest bucket first. Postgres counts the
// changes per bucket, so the work sent back is a few hundred groups whatever the number of changes.
import { z } from "zod";
import { machineScopeSql } from "../auth/scope-sql";
import type { PrismaClient } from "../db/client";
import { Prisma } from "../db/generated/client";
import { HEALTH_STATES, type Health } from "../health";
import { emptyCounts } from "../health/cluster-health";

export const healthHistorySchema = z.object({ range: z.enum(["24h", "7d"]).default("24h") });

const RANGES = { "24h": { ms: 24 * 3600_000, buckets: 24 }, "7d": { ms: 7 * 24 * 3600_000, buckets: 28 } };

export interface HealthPoint {
  at: Date;
  counts: Record<Health, number>;
}

/** What the statement returns: current counts, health changes and machines created, per bucket. */
interface Group {
  kind: "now" | "change" | "created";
  /** Start of the bucket (changes and creations); the bucket index follows from it. */
  bin: Date | null;
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

/**
 * Buckets end at `now` and go back `step` at a time; a change at exactly a bucket's edge belongs to the
 * bucket after it (the edge's point still shows its state before), hence the microsecond taken off.
 */
function historySql(scopes: string[], now: Date, since: Date, stepMs: number): Prisma.Sql {
  const step = `${stepMs / 1000} seconds`;
  return Prisma.sql`
    SELECT 'change' AS kind, date_bin(${step}::interval, s.at - interval '1 microsecond', ${now}) AS bin,
           s.from_value AS "fromValue", s.to_value AS "toValue", count(*)::int AS n
    FROM machine_state_change s
    WHERE s.field = 'health' AND s.at > ${since} AND s.at <= ${now} AND ${inScope(scopes, Prisma.sql`s.machine_id`)}
    GROUP BY 2, 3, 4
    UNION ALL
    -- Machines that joined the inventory inside the window did not exist before: once every change of
    -- theirs is undone they are back at their first state (unknown) and leave the count there.
    SELECT 'created', date_bin(${step}::interval, m.created_at - interval '1 microsecond', ${now}), NULL, NULL,
           count(*)::int
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
  const { ms, buckets } = RANGES[range];
  const step = ms / buckets;
  const groups = await db.$queryRaw<Group[]>(historySql(scopes, now, new Date(now.getTime() - ms), step));
  /** Per bucket (1 = the newest), what to undo. */
  const undo = Array.from({ length: buckets + 1 }, () => ({ to: emptyCounts(), from: emptyCounts() }));
  const counts = emptyCounts();
  for (const g of groups) {
    if (g.kind === "now") {
      if (isHealth(g.toValue)) counts[g.toValue] = g.n;
      continue;
    }
    const b = Math.min(buckets, Math.max(1, Math.round((now.getTime() - (g.bin?.getTime() ?? 0)) / step)));
    const u = undo[b];
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
    points.push({ at: new Date(now.getTime() - b * step), counts: { ...counts } });
  }
  return { points: points.reverse() };
}
