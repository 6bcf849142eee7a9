// What one reconciler pass knows of a rollout: its row and waves, its safety settings with the sites'
// maintenance windows (read on every pass, so an edited window applies at once), and its machines with
// the collected state the scheduler and the machine tasks need.
import { type SafetySettings, safetySchema } from "../../../model/rollout-safety";
import type { PrismaClient } from "../../../platform/db/client";
import type { Rollout, RolloutWave } from "../../../platform/db/generated/client";
import { withMaintenanceWindows } from "../load-maintenance-windows";
import type { SchedulerMachine } from "../scheduler";

export interface MachineRow {
  id: string;
  machineId: string;
  waveIndex: number;
  phase: SchedulerMachine["phase"];
  attempt: number;
  inFlightSince: Date | null;
  actorId: string | null;
  bootIdBefore: string;
  issuedAt: Date | null;
  hold: string;
  holdUntil: Date | null;
  machine: {
    hostname: string;
    address: string;
    role: "controlplane" | "worker";
    effectiveSite: string;
    talosVersion: string;
    bootId: string;
    cluster: { name: string };
  };
}

export type LoadedRollout = Rollout & { waves: RolloutWave[] };

export interface RolloutState {
  rollout: LoadedRollout;
  safety: SafetySettings;
  /** Every machine of the plan, in plan order. */
  rows: MachineRow[];
  /** The wave being worked on, its machines, and whether it may start (approved, or advancing on its own). */
  wave: RolloutWave | undefined;
  waveRows: MachineRow[];
  approved: boolean;
}

export async function loadRollout(db: PrismaClient, rolloutId: string): Promise<RolloutState> {
  const rollout = await db.rollout.findUniqueOrThrow({
    where: { id: rolloutId },
    include: { waves: { orderBy: { index: "asc" } } },
  });
  const safety = await withMaintenanceWindows(db, safetySchema.parse(rollout.safety));
  const rows: MachineRow[] = await db.rolloutMachine.findMany({
    where: { rolloutId },
    orderBy: { position: "asc" },
    select: {
      id: true,
      machineId: true,
      waveIndex: true,
      phase: true,
      attempt: true,
      inFlightSince: true,
      actorId: true,
      bootIdBefore: true,
      issuedAt: true,
      hold: true,
      holdUntil: true,
      machine: {
        select: {
          hostname: true,
          address: true,
          role: true,
          effectiveSite: true,
          talosVersion: true,
          bootId: true,
          cluster: { select: { name: true } },
        },
      },
    },
  });
  const wave = rollout.waves.find((w) => w.index === rollout.currentWave);
  return {
    rollout,
    safety,
    rows,
    wave,
    waveRows: rows.filter((m) => m.waveIndex === rollout.currentWave),
    approved: wave !== undefined && (wave.status !== "pending" || wave.autoAdvance),
  };
}
