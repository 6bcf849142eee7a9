// What an approver weighs before deciding on a wave: how long it will take (from Minos's own measured
// upgrades), when it can start (the maintenance windows of its sites), and the risk — the targets'
// health now, their open drift, and what failed in the rollout's earlier waves. Machines outside the
// reader's scope count in the totals but are never named.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import { durationOf, openingOf } from "../../model/maintenance-window";
import { safetySchema } from "../../model/rollout-safety";
import { siteMatches, windowState } from "../../model/window-schedule";
import type { PrismaClient } from "../../platform/db/client";
import { currentHealth, type Health } from "../health";
import { estimateWave, median } from "./estimate";
import { withMaintenanceWindows } from "./load-maintenance-windows";
import { visibleRollouts } from "./visible-rollouts";

/** Past upgrades the median is taken from: the most recent finished ones. */
const MEASURED_SAMPLE = 500;
const LISTED = 50;

/** The median time (ms) from going in flight to done, over the latest finished machine upgrades. */
export async function measuredUpgradeMedian(db: PrismaClient): Promise<{ ms: number; count: number } | null> {
  const rows = await db.rolloutMachine.findMany({
    where: { phase: "done", inFlightSince: { not: null }, finishedAt: { not: null } },
    orderBy: { finishedAt: "desc" },
    take: MEASURED_SAMPLE,
    select: { inFlightSince: true, finishedAt: true },
  });
  const ms = median(
    rows
      .map((r) => (r.finishedAt as Date).getTime() - (r.inFlightSince as Date).getTime())
      .filter((d) => d >= 0),
  );
  return ms === null ? null : { ms, count: rows.length };
}

export async function getWaveBriefing(opts: {
  db: PrismaClient;
  scopes: string[];
  rolloutId: string;
  waveIndex: number;
  now?: Date;
}) {
  const { db, scopes } = opts;
  const now = opts.now ?? new Date();
  const rollout = await db.rollout.findFirst({
    where: { id: opts.rolloutId, ...visibleRollouts(scopes) },
    select: {
      safety: true,
      targetVersion: true,
      installerImage: true,
      waves: { orderBy: { index: "asc" }, select: { index: true, name: true } },
    },
  });
  const wave = rollout?.waves.find((w) => w.index === opts.waveIndex);
  if (!rollout || !wave)
    throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout or wave." });
  const own = safetySchema.parse(rollout.safety);
  const safety = await withMaintenanceWindows(db, own);
  const inScope = machineScopeWhere(scopes);

  const [all, visible, measured, earlierFailures] = await Promise.all([
    db.rolloutMachine.findMany({
      where: { rolloutId: opts.rolloutId, waveIndex: wave.index },
      select: {
        machine: { select: { effectiveSite: true, role: true, cluster: { select: { name: true } } } },
      },
    }),
    db.machine.findMany({
      where: {
        AND: [inScope, { rolloutMachines: { some: { rolloutId: opts.rolloutId, waveIndex: wave.index } } }],
      },
      select: {
        id: true,
        hostname: true,
        effectiveSite: true,
        health: true,
        healthReason: true,
        lastSeenAt: true,
        reachable: true,
        cluster: { select: { name: true } },
      },
      orderBy: { hostname: "asc" },
    }),
    measuredUpgradeMedian(db),
    db.rolloutMachine.findMany({
      where: { rolloutId: opts.rolloutId, waveIndex: { lt: wave.index }, phase: "failed", machine: inScope },
      orderBy: [{ waveIndex: "asc" }, { position: "asc" }],
      take: LISTED,
      select: {
        machineId: true,
        waveIndex: true,
        attempt: true,
        error: true,
        machine: { select: { hostname: true } },
      },
    }),
  ]);

  // Estimate over every machine of the wave; causes outside the reader's scope are not named.
  const estimate = estimateWave({
    machines: all.map((r) => ({
      site: r.machine.effectiveSite,
      cluster: r.machine.cluster.name,
      role: r.machine.role,
    })),
    safety,
    median: measured,
  });
  const { cluster, site } = estimate.limitedBy;
  if (
    (cluster !== undefined && !visible.some((m) => m.cluster.name === cluster)) ||
    (site !== undefined && !visible.some((m) => m.effectiveSite === site))
  ) {
    estimate.limitedBy = { text: "the caps on machines outside your scope (one cluster or site)" };
  }

  // Windows: per site of the wave (those in scope), and the windows that apply to them.
  const siteCounts = new Map<string, number>();
  for (const m of visible) siteCounts.set(m.effectiveSite, (siteCounts.get(m.effectiveSite) ?? 0) + 1);
  const sites = [...siteCounts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([site, machines]) => {
      const state = windowState(safety.windows, site, now.getTime());
      return {
        site,
        machines,
        unrestricted: state.unrestricted,
        open: state.open,
        opensAt: state.opensAt === undefined ? null : new Date(state.opensAt),
      };
    });
  const allSites = new Set(all.map((r) => r.machine.effectiveSite));
  const opens = [...allSites].map((s) => windowState(safety.windows, s, now.getTime()));
  // The wave can start as soon as one of its sites may be worked on.
  const openings = opens.map((s) => (s.open ? now.getTime() : s.opensAt)).filter((t) => t !== undefined);
  const startsAt = openings.length ? new Date(Math.min(...openings)) : null;
  const windows = safety.windows
    .map((w, i) => ({ w, source: i < own.windows.length ? ("rollout" as const) : ("site" as const) }))
    .filter(({ w }) => [...siteCounts.keys()].some((s) => siteMatches(w.site, s)))
    .map(({ w, source }) => ({
      ...w,
      durationMinutes: durationOf(w),
      source,
      ...openingOf(w, now.getTime()),
    }));

  // Risk: health now, open drift, earlier failures.
  const byHealth: Partial<Record<Health, number>> = {};
  const notHealthy: {
    machineId: string;
    hostname: string;
    cluster: string;
    health: Health;
    reason: string;
  }[] = [];
  for (const m of visible) {
    const v = currentHealth(m, now);
    byHealth[v.health] = (byHealth[v.health] ?? 0) + 1;
    if (v.health !== "healthy")
      notHealthy.push({
        machineId: m.id,
        hostname: m.hostname,
        cluster: m.cluster.name,
        health: v.health,
        reason: v.reason,
      });
  }
  const drifted = await driftedAmong(
    db,
    visible.map((m) => m.id),
    now,
    rollout,
  );
  const hostOf = new Map(visible.map((m) => [m.id, m.hostname]));

  return {
    wave: { index: wave.index, name: wave.name, machines: all.length, visible: visible.length },
    estimate,
    /** After the bake, new Pending or CrashLoopBackOff pods in the wave's clusters hold the rollout. */
    podCheck: safety.podCheck,
    startsAt,
    sites,
    windows,
    health: { byHealth, notHealthy: notHealthy.slice(0, LISTED), notHealthyCount: notHealthy.length },
    drift: {
      machines: drifted.length,
      listed: drifted.slice(0, 10).map((id) => ({ machineId: id, hostname: hostOf.get(id) ?? id })),
    },
    earlierFailures: earlierFailures.map((f) => ({
      machineId: f.machineId,
      hostname: f.machine.hostname,
      wave: rollout.waves.find((w) => w.index === f.waveIndex)?.name ?? `wave ${f.waveIndex}`,
      attempt: f.attempt,
      error: f.error ?? "failed",
    })),
  };
}

const sameVersion = (a: string, b: string) => a.replace(/^v/, "") === b.replace(/^v/, "");

/**
 * Machines among `ids` with drift that counts: drifted items nobody acknowledged (still valid), leaving out
 * the drift this rollout fixes (a declared Talos version or installer that is its target).
 */
async function driftedAmong(
  db: PrismaClient,
  ids: string[],
  now: Date,
  target: { targetVersion: string; installerImage: string },
): Promise<string[]> {
  if (ids.length === 0) return [];
  const fixedByThis = (i: { kind: string; declared: unknown }) =>
    (i.kind === "talosVersion" && sameVersion(String(i.declared), target.targetVersion)) ||
    (i.kind === "installerImage" && String(i.declared) === target.installerImage);
  const [all, acks] = await Promise.all([
    db.driftItem.findMany({
      where: { machineId: { in: ids }, state: "drifted" },
      select: { machineId: true, field: true, kind: true, declared: true },
    }),
    db.driftAcknowledgement.findMany({
      where: { machineId: { in: ids }, expiresAt: { gt: now } },
      select: { machineId: true, field: true },
    }),
  ]);
  const items = all.filter((i) => !fixedByThis(i));
  const acked = new Set(acks.map((a) => `${a.machineId}\u0000${a.field}`));
  const machines = new Set(
    items.filter((i) => !acked.has(`${i.machineId}\u0000${i.field}`)).map((i) => i.machineId),
  );
  return ids.filter((id) => machines.has(id));
}
