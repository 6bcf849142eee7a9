// A rollout's safety settings, with their defaults (docs/rollouts.md, "Safety settings").
import { z } from "zod";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof DAYS)[number];
/** The days of the week, Monday first, as windows name them. */
export const WEEKDAYS = DAYS;

/** A local time of day, HH:MM (24 h). */
export const timeOfDaySchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day as HH:MM (24 h)");

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name this runtime knows. */
export const timeZoneSchema = z
  .string()
  .refine(validTimeZone, "must be an IANA time zone such as Europe/Copenhagen or America/New_York");

export const maintenanceWindowSchema = z.object({
  /** Site pattern: an exact site, or a prefix ending in `*` ("eu/dk/*"). */
  site: z.string().trim().min(1).max(200),
  timeZone: timeZoneSchema,
  days: z.array(z.enum(DAYS)).min(1, "pick at least one day"),
  /** Local start and end; an end at or before the start runs past midnight into the next day. */
  start: timeOfDaySchema,
  end: timeOfDaySchema,
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export const failureBudgetSchema = z.union([
  z.object({ kind: z.literal("count"), value: z.number().int().min(0).max(100_000) }),
  z.object({ kind: z.literal("percent"), value: z.number().min(0).max(100) }),
]);
export type FailureBudget = z.infer<typeof failureBudgetSchema>;

export const safetySchema = z
  .object({
    /** Workers of one cluster upgrading at once. Control planes are always one at a time. */
    workersPerCluster: z.number().int().min(1).max(1_000).default(2),
    /** Machines upgrading at once, fleet-wide and per site. */
    fleetConcurrency: z.number().int().min(1).max(10_000).default(50),
    siteConcurrency: z.number().int().min(1).max(10_000).default(5),
    /** Pull the installer image before upgrading (ImageService.Pull, Talos ≥ 1.13). */
    prePull: z.boolean().default(true),
    /** Installer pulls at once, fleet-wide and per site; a legacy Upgrade pulls too and counts. */
    fleetPulls: z.number().int().min(1).max(10_000).default(10),
    sitePulls: z.number().int().min(1).max(10_000).default(2),
    /** Per-site maintenance windows; a site no window matches is not restricted. */
    windows: z.array(maintenanceWindowSchema).max(500).default([]),
    /** Minutes to watch a finished wave before the next may start. */
    bakeMinutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60)
      .default(30),
    /** Failures a wave may have; one more pauses the rollout. */
    failureBudget: failureBudgetSchema.default({ kind: "percent", value: 10 }),
    /** A machine not done after this long counts as failed. */
    machineTimeoutMinutes: z
      .number()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** Upgrade control planes of clusters with a single etcd member (quorum cannot hold meanwhile). */
    allowSingleControlPlane: z.boolean().default(false),
    /**
     * Cordon and drain each node through Kubernetes before its reboot (as talosctl does); turning it off
     * takes a reason, which the approver sees and the audit trail keeps.
     */
    drain: z.boolean().default(true),
    drainOffReason: z.string().trim().max(500).default(""),
    /** A drain not finished after this long stops: the node is uncordoned, not rebooted, and counts as failed. */
    drainTimeoutMinutes: z
      .number()
      .min(0.05)
      .max(24 * 60)
      .default(5),
    /** After its reboot, a node must be Ready in Kubernetes within this long, or it counts as failed. */
    nodeReadyTimeoutMinutes: z
      .number()
      .min(0.05)
      .max(24 * 60)
      .default(10),
    /**
     * After the bake, hold the rollout (paused, with the pods named) if a pod in the wave's clusters is
     * Pending or in CrashLoopBackOff that was not so when the wave started.
     */
    podCheck: z.boolean().default(false),
  })
  .refine((s) => s.drain || s.drainOffReason.length > 0, {
    path: ["drainOffReason"],
    message: "say why the nodes may reboot without being drained (the approver sees it)",
  });
export type SafetySettings = z.infer<typeof safetySchema>;

export const DEFAULT_SAFETY: SafetySettings = safetySchema.parse({});

/** Failures a wave of `size` machines may have before the rollout pauses. */
export function failureAllowance(budget: FailureBudget, size: number): number {
  return budget.kind === "count" ? budget.value : Math.floor((budget.value / 100) * size);
}
