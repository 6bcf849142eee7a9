// The drift overview: drifted machines by kind and by site and cluster (acknowledged items do not count),
// the top outlier groups of what machines actually run, and the trend of items appearing and clearing.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import type { PrismaClient } from "../../platform/db/client";
import { outlierGroups } from "./outlier-groups";

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
      select: { machineId: true, field: true, at: true, change: true, state: true },
      orderBy: [{ at: "asc" }, { id: "asc" }],
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
  // The trend counts drift, not knowledge: an item that was "unknown" until the machine's facts were
  // read and then held never drifted, so it neither appears nor clears here.
  const lastState = new Map<string, string>();
  for (const e of events) {
    const key = `${e.machineId}\u0000${e.field}`;
    const before = lastState.get(key);
    lastState.set(key, e.change === "cleared" ? "cleared" : e.state);
    const d = days.get(e.at.toISOString().slice(0, 10));
    if (!d) continue;
    const nowDrifted = e.change !== "cleared" && e.state === "drifted";
    const wasDrifted = e.change === "cleared" ? e.state === "drifted" : before === "drifted";
    if (nowDrifted && !wasDrifted && (e.change === "appeared" || before !== undefined)) d.appeared++;
    if (wasDrifted && !nowDrifted) d.cleared++;
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
    outliers: (await outlierGroups({ db, scopes: opts.scopes })).slice(0, TOP_OUTLIERS),
  };
}
