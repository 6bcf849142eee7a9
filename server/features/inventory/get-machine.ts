// One machine as its page shows it: identity, versions, stage and conditions, services, labels and
// site (its own and its cluster's), and its state history. Out of scope reads as not found.
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { currentHealth, type ServiceState } from "../health";
import { lockSelect, lockView } from "./locks";
import { labelsOf } from "./placement";
import { reasonWithRollout, rolloutInFlightSelect } from "./rollout-in-flight";

const HISTORY = 100;

export async function getMachine({
  db,
  scopes,
  id,
  now = new Date(),
}: {
  db: PrismaClient;
  scopes: string[];
  id: string;
  now?: Date;
}) {
  const m = await db.machine.findFirst({
    where: { AND: [machineScopeWhere(scopes), { id }] },
    select: {
      id: true,
      hostname: true,
      address: true,
      role: true,
      site: true,
      labels: true,
      createdAt: true,
      removedAt: true,
      talosVersion: true,
      kubernetesVersion: true,
      stage: true,
      ready: true,
      unmetConditions: true,
      services: true,
      bootId: true,
      kubeNode: true,
      kubeReady: true,
      kubeReason: true,
      kubeCordon: true,
      kubeletVersion: true,
      reachable: true,
      lastSeenAt: true,
      lastError: true,
      health: true,
      healthReason: true,
      healthSince: true,
      locks: { select: lockSelect },
      rolloutMachines: rolloutInFlightSelect,
      cluster: { select: { name: true, site: true, labels: true, locks: { select: lockSelect } } },
      stateChanges: {
        orderBy: [{ at: "desc" }, { id: "desc" }],
        take: HISTORY,
        select: { id: true, at: true, field: true, fromValue: true, toValue: true, reason: true },
      },
    },
  });
  if (!m) {
    throw new AppError("NOT_FOUND", { userMessage: "This machine does not exist or is outside your scope." });
  }
  const verdict = currentHealth(m, now);
  const { stateChanges, locks, rolloutMachines, ...rest } = m;
  return {
    ...rest,
    cluster: { name: m.cluster.name, site: m.cluster.site, labels: m.cluster.labels },
    /** Rollout locks: on the machine itself, and on its whole cluster. */
    locks: { machine: lockView("machine", locks[0]), cluster: lockView("cluster", m.cluster.locks[0]) },
    id: m.id,
    health: verdict.health,
    healthReason: reasonWithRollout(verdict.health, verdict.reason, rolloutMachines),
    /** The rollout upgrading it now, if any (its page links there). */
    rolloutInFlight: rolloutMachines[0]?.rollout ?? null,
    ownLabels: labelsOf(m.labels),
    clusterLabels: labelsOf(m.cluster.labels),
    labels: undefined,
    effectiveSite: m.site ?? m.cluster.site,
    unmetConditions: (Array.isArray(m.unmetConditions) ? m.unmetConditions : []) as Array<{
      name: string;
      reason: string;
    }>,
    services: (Array.isArray(m.services) ? m.services : []) as unknown as ServiceState[],
    history: stateChanges.map((c) => ({ ...c, id: String(c.id) })),
  };
}
