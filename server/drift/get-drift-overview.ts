// The drift overview: drifted machines by kind and by site and cluster (acknowledged items do not count),
// the top outlier groups of what machines actually run, and the trend of items appearing and clearing.
import { machineScopeWhere } from "../auth/scope-filter";
import type { PrismaClient } from "../db/client";
import type { ConfigDocument } from "./config-documents";
import { machineComponents } from "./fingerprint";
import { findOutliers, type OutlierGroup, type OutlierMachine } from "./outliers";

const TREND_DAYS = 14;
const TOP_OUTLIERS = 20;
const DRIFTED_SHOWN = 200;

export async function getDriftOverview(opts: { db: PrismaClient; scopes: string[]; now?: Date }) {
  const { db } = opts;
  const now = opts.now ?? new Date();
  const scope = { AND: [machineScopeWhere(opts.scopes), { removedAt: null }] };
  const [items, acks, machineCount, events] = await Promise.all([
    db.driftItem.findMany({
      where: { machine: scope },
      select: {
        machineId: true,
        kind: true,
        state: true,
        field: true,
        since: true,
        machine: { select: { hostname: true, effectiveSite: true, cluster: { select: { name: true } } } },
      },
    }),
    db.driftAcknowledgement.findMany({
      where: { machine: scope, expiresAt: { gt: now } },
      select: { machineId: true, field: true },
    }),
    db.machine.count({ where: scope }),
    db.driftEvent.findMany({
      where: { machine: scope, at: { gte: new Date(now.getTime() - TREND_DAYS * 86_400_000) } },
      select: { at: true, change: true },
    }),
  ]);
  const acked = new Set(acks.map((a) => `${a.machineId}\u0000${a.field}`));
  const drifted = new Set<string>();
  const unknown = new Set<string>();
  const byKind = new Map<string, Set<string>>();
  const bySite = new Map<string, Set<string>>();
  const byCluster = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, id: string) => {
    const s = m.get(k) ?? new Set<string>();
    s.add(id);
    m.set(k, s);
  };
  const perMachine = new Map<
    string,
    {
      id: string;
      hostname: string;
      cluster: string;
      site: string;
      kinds: Set<string>;
      items: number;
      since: Date;
    }
  >();
  let acknowledged = 0;
  for (const i of items) {
    if (i.state === "unknown") {
      unknown.add(i.machineId);
      continue;
    }
    if (acked.has(`${i.machineId}\u0000${i.field}`)) {
      acknowledged++;
      continue;
    }
    drifted.add(i.machineId);
    const pm = perMachine.get(i.machineId) ?? {
      id: i.machineId,
      hostname: i.machine.hostname,
      cluster: i.machine.cluster.name,
      site: i.machine.effectiveSite,
      kinds: new Set<string>(),
      items: 0,
      since: i.since,
    };
    pm.kinds.add(i.kind);
    pm.items++;
    if (i.since < pm.since) pm.since = i.since;
    perMachine.set(i.machineId, pm);
    add(byKind, i.kind, i.machineId);
    add(bySite, i.machine.effectiveSite || "(no site)", i.machineId);
    add(byCluster, i.machine.cluster.name, i.machineId);
  }
  const counted = (m: Map<string, Set<string>>) =>
    [...m]
      .map(([key, s]) => ({ key, machines: s.size }))
      .sort((a, b) => b.machines - a.machines || a.key.localeCompare(b.key));
  const days = new Map<string, { day: string; appeared: number; cleared: number }>();
  for (let d = TREND_DAYS - 1; d >= 0; d--) {
    const day = new Date(now.getTime() - d * 86_400_000).toISOString().slice(0, 10);
    days.set(day, { day, appeared: 0, cleared: 0 });
  }
  for (const e of events) {
    const d = days.get(e.at.toISOString().slice(0, 10));
    if (d && e.change === "appeared") d.appeared++;
    if (d && e.change === "cleared") d.cleared++;
  }
  return {
    machines: machineCount,
    drifted: drifted.size,
    unknownOnly: [...unknown].filter((id) => !drifted.has(id)).length,
    acknowledgedItems: acknowledged,
    byKind: counted(byKind),
    bySite: counted(bySite),
    byCluster: counted(byCluster),
    trend: [...days.values()],
    driftedMachines: [...perMachine.values()]
      .sort((a, b) => b.items - a.items || a.hostname.localeCompare(b.hostname))
      .slice(0, DRIFTED_SHOWN)
      .map((m) => ({ ...m, kinds: [...m.kinds].sort() })),
    outliers: (await cachedOutlierGroups(db, opts.scopes, now)).slice(0, TOP_OUTLIERS),
  };
}

/**
 * Grouping 10,000 machines takes seconds (docs/benchmarks.md): kept per scope set until a drift reading
 * changes (the newest read time moves) or 30 s pass (versions come from the machine rows).
 */
const OUTLIER_TTL_MS = 30_000;
const outlierCache = new Map<
  string,
  { at: number; marker: string; value: ReturnType<typeof outlierGroups> }
>();

async function cachedOutlierGroups(db: PrismaClient, scopes: string[], now: Date) {
  const key = [...scopes].sort().join("\n");
  const agg = await db.machineDriftState.aggregate({ _max: { readAt: true }, _count: true });
  const marker = `${agg._max.readAt?.getTime() ?? 0}/${agg._count}`;
  const hit = outlierCache.get(key);
  if (hit && hit.marker === marker && now.getTime() - hit.at < OUTLIER_TTL_MS) return hit.value;
  const value = outlierGroups(db, scopes);
  outlierCache.set(key, { at: now.getTime(), marker, value });
  value.catch(() => outlierCache.delete(key));
  return value;
}

/** Outlier groups among the machines in scope, from what the collector read (no baseline needed). */
export async function outlierGroups(
  db: PrismaClient,
  scopes: string[],
): Promise<Array<OutlierGroup & { hostnames: string[]; alsoIn: string[] }>> {
  const rows = await db.machine.findMany({
    where: { AND: [machineScopeWhere(scopes), { removedAt: null }] },
    select: {
      id: true,
      hostname: true,
      role: true,
      effectiveSite: true,
      talosVersion: true,
      kubernetesVersion: true,
      cluster: { select: { name: true } },
      driftState: { select: { extensions: true, schematicId: true, kernelArgs: true, config: true } },
    },
  });
  const machines: OutlierMachine[] = rows.map((r) => ({
    id: r.id,
    cluster: r.cluster.name,
    site: r.effectiveSite,
    role: r.role,
    components: machineComponents({
      talosVersion: r.talosVersion || null,
      kubernetesVersion: r.kubernetesVersion || null,
      extensions: (r.driftState?.extensions as string[] | null | undefined) ?? null,
      schematicId: r.driftState?.schematicId ?? null,
      schematic: null,
      kernelArgs: (r.driftState?.kernelArgs as string[] | null | undefined) ?? null,
      labels: {},
      config: (r.driftState?.config as ConfigDocument[] | null | undefined) ?? null,
    }),
  }));
  const hostname = new Map(rows.map((r) => [r.id, r.hostname]));
  // the same machines differing the same way show once, at the widest scope where they stand out
  const seen = new Map<string, OutlierGroup & { hostnames: string[]; alsoIn: string[] }>();
  for (const g of findOutliers(machines)) {
    const key = `${g.role}\u0000${g.machineIds.join(",")}\u0000${JSON.stringify(g.differences)}`;
    const first = seen.get(key);
    const where =
      g.scope.level === "fleet"
        ? "the fleet"
        : g.scope.level === "cluster"
          ? `cluster ${g.scope.name}`
          : g.scope.name;
    if (first) {
      first.alsoIn.push(where);
      continue;
    }
    seen.set(key, {
      ...g,
      hostnames: g.machineIds.slice(0, 50).map((id) => hostname.get(id) ?? id),
      alsoIn: [],
    });
  }
  return [...seen.values()];
}
