// One page of machines matching a filter, within the caller's scope, sorted, with the total count.
// Offset pagination: at 10,000 machines a count and an offset stay in single-digit milliseconds,
// and offsets let a link name a page.
import { z } from "zod";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { currentHealth, type Health } from "../health";
import { effectiveLock, type LockView, lockSelect } from "./locks";
import { type MachineFilter, machineFilterCondition, machineFilterSchema } from "./machine-filter";
import { labelsOf } from "./placement";
import { reasonWithRollout, rolloutInFlightSelect } from "./rollout-in-flight";

export const MACHINE_SORTS = ["hostname", "cluster", "site", "health", "version", "lastSeen"] as const;

export const listMachinesSchema = machineFilterSchema.extend({
  sort: z.enum(MACHINE_SORTS).default("hostname"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(500).default(50),
});
export type ListMachinesInput = z.input<typeof listMachinesSchema>;

const machineRowSelect = {
  id: true,
  hostname: true,
  address: true,
  role: true,
  site: true,
  labels: true,
  talosVersion: true,
  kubernetesVersion: true,
  stage: true,
  health: true,
  healthReason: true,
  healthSince: true,
  reachable: true,
  lastSeenAt: true,
  kubeNode: true,
  kubeReady: true,
  kubeReason: true,
  kubeCordon: true,
  rolloutMachines: rolloutInFlightSelect,
  locks: { select: lockSelect },
  cluster: { select: { name: true, site: true, labels: true, locks: { select: lockSelect } } },
} satisfies Prisma.MachineSelect;

function orderBy(
  sort: (typeof MACHINE_SORTS)[number],
  dir: "asc" | "desc",
): Prisma.MachineOrderByWithRelationInput[] {
  // Ties are always broken by hostname ascending, so a page is stable between polls.
  const tail: Prisma.MachineOrderByWithRelationInput[] = [{ hostname: "asc" }, { id: "asc" }];
  switch (sort) {
    case "hostname":
      return [{ hostname: dir }, { id: "asc" }];
    case "cluster":
      return [{ cluster: { name: dir } }, ...tail];
    case "site":
      return [{ effectiveSite: dir }, ...tail];
    case "health":
      // Enum order is healthy → unknown; longest in a state first within it.
      return [{ health: dir }, { healthSince: "asc" }, { id: "asc" }];
    case "version":
      return [{ talosVersion: dir }, ...tail];
    case "lastSeen":
      return [{ lastSeenAt: { sort: dir, nulls: "last" } }, ...tail];
  }
}

export interface MachineRow {
  id: string;
  hostname: string;
  address: string;
  role: "controlplane" | "worker";
  cluster: string;
  /** Effective site: the machine's own, else its cluster's. */
  site: string;
  siteInherited: boolean;
  /** Effective labels: the cluster's, overridden by the machine's own. */
  labels: Record<string, string>;
  talosVersion: string;
  kubernetesVersion: string;
  stage: string;
  health: Health;
  healthReason: string;
  healthSince: Date;
  lastSeenAt: Date | null;
  /** The machine's Kubernetes Node, when seen: Ready or not (and why), who cordoned it. */
  kube: { node: string; ready: boolean; reason: string; cordon: string } | null;
  /** The rollout lock on the machine or its cluster, if any. */
  lock: LockView | null;
}

export function toMachineRow(
  m: Prisma.MachineGetPayload<{ select: typeof machineRowSelect }>,
  now: Date,
): MachineRow {
  const verdict = currentHealth(m, now);
  return {
    id: m.id,
    hostname: m.hostname,
    address: m.address,
    role: m.role,
    cluster: m.cluster.name,
    site: m.site ?? m.cluster.site,
    siteInherited: m.site === null,
    labels: { ...labelsOf(m.cluster.labels), ...labelsOf(m.labels) },
    talosVersion: m.talosVersion,
    kubernetesVersion: m.kubernetesVersion,
    stage: m.stage,
    health: verdict.health,
    healthReason: reasonWithRollout(verdict.health, verdict.reason, m.rolloutMachines),
    healthSince: m.healthSince,
    lastSeenAt: m.lastSeenAt,
    kube:
      m.kubeReady === null
        ? null
        : { node: m.kubeNode, ready: m.kubeReady, reason: m.kubeReason, cordon: m.kubeCordon },
    lock: effectiveLock(m.locks, m.cluster.locks),
  };
}

export async function listMachines({
  db,
  scopes,
  input,
  now = new Date(),
}: {
  db: PrismaClient;
  scopes: string[];
  input: z.output<typeof listMachinesSchema>;
  now?: Date;
}): Promise<{
  rows: MachineRow[];
  total: number;
  page: number;
  pageSize: number;
  /** When filtered by an outlier group: its summary, null when the group no longer exists. */
  outlier?: { summary: string | null };
}> {
  const filter: MachineFilter = input;
  const { where, outlier } = await machineFilterCondition({ db, scopes, filter, now });
  const [total, rows] = await Promise.all([
    db.machine.count({ where }),
    db.machine.findMany({
      where,
      select: machineRowSelect,
      orderBy: orderBy(input.sort, input.dir),
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
  ]);
  return {
    rows: rows.map((m) => toMachineRow(m, now)),
    total,
    page: input.page,
    pageSize: input.pageSize,
    ...(outlier ? { outlier } : {}),
  };
}

export { machineRowSelect };

/** Ids of every machine matching a filter, for "select all that match"; refuses more than `max`. */
export async function matchingMachineIds({
  db,
  scopes,
  filter,
  max,
}: {
  db: PrismaClient;
  scopes: string[];
  filter: MachineFilter;
  max: number;
}): Promise<string[]> {
  const { where } = await machineFilterCondition({ db, scopes, filter });
  const rows = await db.machine.findMany({
    where,
    select: { id: true },
    orderBy: { id: "asc" },
    take: max + 1,
  });
  if (rows.length > max) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `More than ${max.toLocaleString("en-US")} machines match; narrow the filter to select them all.`,
    });
  }
  return rows.map((r) => r.id);
}
