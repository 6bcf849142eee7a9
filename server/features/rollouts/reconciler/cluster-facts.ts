// What the scheduler needs to know of each cluster a pass touches, from the collected state: etcd
// members and how many are healthy, whether the cluster is ready, and how many of its API endpoints are
// up. This rollout's in-flight machines count as down, its upgrading endpoint machines as endpoints down.
import type { PrismaClient } from "../../../platform/db/client";
import type { SchedulerCluster } from "../scheduler";

export interface ClusterFacts extends SchedulerCluster {
  /** Hosts of the cluster's Talos endpoints (a machine at one of them is an API endpoint). */
  endpointHosts: Set<string>;
}

export async function clusterFacts(
  db: PrismaClient,
  names: string[],
  inFlight: Set<string>,
  upgrading: Set<string>,
): Promise<Map<string, ClusterFacts>> {
  const [machines, rows] = await Promise.all([
    db.machine.findMany({
      where: { removedAt: null, cluster: { name: { in: names } } },
      select: {
        id: true,
        hostname: true,
        address: true,
        role: true,
        health: true,
        healthReason: true,
        cluster: { select: { name: true } },
      },
    }),
    db.cluster.findMany({ where: { name: { in: names } }, select: { name: true, endpoints: true } }),
  ]);
  const out = new Map<string, ClusterFacts>();
  for (const row of rows) {
    const endpointHosts = new Set(row.endpoints.map(endpointHost));
    out.set(row.name, { name: row.name, etcdMembers: 0, etcdHealthy: 0, ready: true, endpointHosts });
  }
  const addresses = new Set(machines.map((m) => m.address));
  for (const c of out.values()) {
    // Endpoints that are no machine (a VIP, a load balancer) are taken as always up.
    if (c.endpointHosts.size > 0 && [...c.endpointHosts].every((h) => addresses.has(h))) {
      const down = machines.filter((m) => upgrading.has(m.id) && c.endpointHosts.has(m.address)).length;
      c.apiEndpointsUp = c.endpointHosts.size - down;
    }
  }
  for (const m of machines) {
    const c = out.get(m.cluster.name);
    if (!c) continue;
    const mine = inFlight.has(m.id);
    const ok = !mine && (m.health === "healthy" || m.health === "degraded");
    if (m.role === "controlplane") {
      c.etcdMembers++;
      if (ok) c.etcdHealthy++;
    }
    if (!mine && !ok && c.ready) {
      c.ready = false;
      c.reason = `${m.hostname} is ${m.health}${m.healthReason ? ` (${m.healthReason})` : ""}`;
    }
  }
  return out;
}

/** The host of an endpoint ("10.0.0.1:50000", "[fd00::1]:50000", "cp.example.org"). */
function endpointHost(endpoint: string): string {
  if (endpoint.startsWith("[")) return endpoint.slice(1, endpoint.indexOf("]"));
  const parts = endpoint.split(":");
  return parts.length === 2 ? (parts[0] as string) : endpoint;
}
