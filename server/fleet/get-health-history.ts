// Machines by health over the last 24 hours or 7 days, rebuilt from the state history: start from
// the current counts and undo each recorded health change, newest first, one bucket at a time.
import { z } from "zod";
import { machineScopeWhere } from "../auth/scope-filter";
import type { PrismaClient } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { HEALTH_STATES, type Health } from "../health";
import { emptyCounts } from "../health/cluster-health";

export const healthHistorySchema = z.object({ range: z.enum(["24h", "7d"]).default("24h") });

const RANGES = { "24h": { ms: 24 * 3600_000, buckets: 24 }, "7d": { ms: 7 * 24 * 3600_000, buckets: 28 } };
/** More changes than this in the window: the oldest part of the chart is left out. */
const MAX_CHANGES = 100_000;

export interface HealthPoint {
  at: Date;
  counts: Record<Health, number>;
}

const isHealth = (v: string): v is Health => (HEALTH_STATES as readonly string[]).includes(v);

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
}): Promise<{ points: HealthPoint[]; truncated: boolean }> {
  const { ms, buckets } = RANGES[range];
  const since = new Date(now.getTime() - ms);
  const machineWhere: Prisma.MachineWhereInput = { AND: [machineScopeWhere(scopes), { removedAt: null }] };
  const [current, changes, created] = await Promise.all([
    db.machine.groupBy({ by: ["health"], where: machineWhere, _count: { _all: true } }),
    db.machineStateChange.findMany({
      where: { field: "health", at: { gt: since, lte: now }, machine: machineWhere },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: MAX_CHANGES,
      select: { at: true, fromValue: true, toValue: true },
    }),
    // Machines that joined the inventory inside the window did not exist before: once every change
    // of theirs is undone they are back at their first state (unknown) and leave the count there.
    db.machine.findMany({
      where: { AND: [machineWhere, { createdAt: { gt: since } }] },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    }),
  ]);
  const counts = emptyCounts();
  for (const g of current) counts[g.health] = g._count._all;
  const step = ms / buckets;
  const points: HealthPoint[] = [{ at: now, counts: { ...counts } }];
  let i = 0;
  let j = 0;
  for (let b = 1; b <= buckets; b++) {
    const edge = now.getTime() - b * step;
    for (; i < changes.length && (changes[i]?.at.getTime() ?? 0) > edge; i++) {
      const c = changes[i];
      if (!c) break;
      if (isHealth(c.toValue) && counts[c.toValue] > 0) counts[c.toValue]--;
      if (isHealth(c.fromValue)) counts[c.fromValue]++;
    }
    for (; j < created.length && (created[j]?.createdAt.getTime() ?? 0) > edge; j++) {
      if (counts.unknown > 0) counts.unknown--;
    }
    points.push({ at: new Date(edge), counts: { ...counts } });
  }
  return { points: points.reverse(), truncated: changes.length === MAX_CHANGES };
}
