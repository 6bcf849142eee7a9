// One cluster as its page shows it: health and why, control plane and etcd members, versions,
// endpoints, site and labels, its machines (those in the caller's scope) and recent changes.
import { clusterScopeWhere, machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { ServiceState } from "../health";
import { machineRowSelect, toMachineRow } from "./list-machines";
import { lockSelect, lockView } from "./locks";
import { labelsOf } from "./placement";

const RECENT_CHANGES = 50;

export async function getCluster({
  db,
  scopes,
  name,
  now = new Date(),
}: {
  db: PrismaClient;
  scopes: string[];
  name: string;
  now?: Date;
}) {
  const cluster = await db.cluster.findFirst({
    where: { AND: [clusterScopeWhere(scopes), { name, removedAt: null }] },
    select: {
      id: true,
      name: true,
      site: true,
      labels: true,
      endpoints: true,
      health: true,
      healthReason: true,
      healthSince: true,
      discoveredAt: true,
      discoveryError: true,
      createdAt: true,
      locks: { select: lockSelect },
    },
  });
  if (!cluster) {
    throw new AppError("NOT_FOUND", { userMessage: "This cluster does not exist or is outside your scope." });
  }
  const machineWhere = { AND: [machineScopeWhere(scopes), { clusterId: cluster.id, removedAt: null }] };
  const [machines, controlPlanes, changes] = await Promise.all([
    db.machine.findMany({
      where: machineWhere,
      select: machineRowSelect,
      orderBy: [{ role: "asc" }, { hostname: "asc" }],
    }),
    db.machine.findMany({
      where: { AND: [machineWhere, { role: "controlplane" }] },
      select: { id: true, hostname: true, reachable: true, services: true },
      orderBy: { hostname: "asc" },
    }),
    db.machineStateChange.findMany({
      where: { machine: machineWhere },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: RECENT_CHANGES,
      select: {
        id: true,
        at: true,
        field: true,
        fromValue: true,
        toValue: true,
        reason: true,
        machine: { select: { id: true, hostname: true } },
      },
    }),
  ]);
  const etcd = controlPlanes.map((m) => {
    const services = (Array.isArray(m.services) ? m.services : []) as unknown as ServiceState[];
    const s = services.find((x) => x.id === "etcd");
    const healthy = m.reachable && s?.state === "Running" && (s.unknown || s.healthy);
    return {
      machineId: m.id,
      hostname: m.hostname,
      state: m.reachable ? (s?.state ?? "not reported") : "unreachable",
      healthy: Boolean(healthy),
    };
  });
  const healthyMembers = etcd.filter((e) => e.healthy).length;
  const verdict = cluster.health;
  const { locks, ...fields } = cluster;
  return {
    ...fields,
    /** The rollout lock on the whole cluster, if any. */
    lock: lockView("cluster", locks[0]),
    labels: labelsOf(cluster.labels),
    health: verdict,
    machines: machines.map((m) => toMachineRow(m, now)),
    etcd: {
      members: etcd,
      healthy: healthyMembers,
      quorum: etcd.length > 0 && healthyMembers > Math.floor(etcd.length / 2),
    },
    talosVersions: [...new Set(machines.map((m) => m.talosVersion).filter(Boolean))].sort(),
    kubernetesVersions: [...new Set(machines.map((m) => m.kubernetesVersion).filter(Boolean))].sort(),
    changes: changes.map((c) => ({ ...c, id: String(c.id) })),
  };
}
