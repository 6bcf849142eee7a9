// A machine row as the collector reads it from the database, and the live state it starts from.
import type { Prisma } from "../../platform/db/generated/client";
import type { ServiceState } from "../health";
import type { LiveMachine } from "./machine-state";

/** The columns of a machine the collector keeps live. */
export const storedMachineSelect = {
  id: true,
  clusterId: true,
  hostname: true,
  address: true,
  role: true,
  talosVersion: true,
  kubernetesVersion: true,
  stage: true,
  ready: true,
  unmetConditions: true,
  services: true,
  bootId: true,
  reachable: true,
  lastSeenAt: true,
  lastError: true,
  health: true,
  healthReason: true,
  healthSince: true,
  kubeReady: true,
  kubeReason: true,
} as const satisfies Prisma.MachineSelect;

export type StoredMachine = Prisma.MachineGetPayload<{ select: typeof storedMachineSelect }>;

/** The live state of a machine as last stored (its JSON columns read as the collector wrote them). */
export function liveMachineFrom(row: StoredMachine): LiveMachine {
  const { kubeReady, ...rest } = row;
  return {
    ...rest,
    ...(kubeReady === null ? {} : { kubeReady }),
    unmetConditions: (row.unmetConditions ?? []) as LiveMachine["unmetConditions"],
    services: (row.services ?? []) as unknown as ServiceState[],
  };
}
