// Cluster health: its machines rolled up, plus etcd quorum and Kubernetes API readiness.

import { type Health, listSome, SEVERITY } from "../../model/health-words";
import type { HealthVerdict, MachineFacts } from "./machine-health";

export interface ClusterMachine
  extends Pick<MachineFacts, "stage" | "unmetConditions" | "services" | "reachable"> {
  hostname: string;
  role: "controlplane" | "worker";
  health: Health;
  reason: string;
  /** From the periodic read of the machine's Kubernetes containers: is kube-apiserver running there? */
  apiServerRunning?: boolean;
  /** etcd errors this control plane reported in EtcdStatus. */
  etcdErrors?: readonly string[];
}

export interface ClusterFacts {
  machines: readonly ClusterMachine[];
  /** Members in the etcd member list, when a control plane answered EtcdMemberList. */
  etcdMembers?: number;
  /** Why Minos's own requests to the cluster's Kubernetes API fail, when they do (undefined: they succeed or are not made). */
  kubeApiError?: string;
}

export interface ClusterVerdict extends HealthVerdict {
  etcd: { members: number; healthy: number; quorum: boolean };
  kubernetesApi: { ready: boolean; servedBy: string[] };
  counts: Record<Health, number>;
}

export function emptyCounts(): Record<Health, number> {
  return { healthy: 0, degraded: 0, unhealthy: 0, unreachable: 0, upgrading: 0, unknown: 0 };
}

/** A control plane whose etcd member is up: reachable, etcd Running and not failing its health check. */
function etcdHealthy(m: ClusterMachine): boolean {
  if (!m.reachable) return false;
  const etcd = m.services.find((s) => s.id === "etcd");
  if (etcd?.state !== "Running" || (!etcd.unknown && !etcd.healthy)) return false;
  return (m.etcdErrors ?? []).length === 0;
}

/**
 * A control plane serving the Kubernetes API: running, kubelet up, Talos's `staticPods` condition met
 * (kube-apiserver is one of the static pods it checks), and kube-apiserver running when we read containers.
 */
function servesApi(m: ClusterMachine): boolean {
  if (!m.reachable || m.stage.toLowerCase() !== "running") return false;
  if (m.unmetConditions.some((c) => c.name === "staticPods")) return false;
  const kubelet = m.services.find((s) => s.id === "kubelet");
  if (kubelet && kubelet.state !== "Running") return false;
  return m.apiServerRunning !== false;
}

export function clusterHealth(c: ClusterFacts): ClusterVerdict {
  const counts = emptyCounts();
  for (const m of c.machines) counts[m.health]++;
  const controlPlanes = c.machines.filter((m) => m.role === "controlplane");
  const members = Math.max(c.etcdMembers ?? 0, controlPlanes.length);
  const healthyMembers = controlPlanes.filter(etcdHealthy).length;
  const quorum = members > 0 && healthyMembers > Math.floor(members / 2);
  const servedBy = controlPlanes.filter(servesApi).map((m) => m.hostname);
  const base = {
    etcd: { members, healthy: healthyMembers, quorum },
    kubernetesApi: { ready: servedBy.length > 0, servedBy },
    counts,
  };
  const verdict = (health: Health, reason: string): ClusterVerdict => ({ ...base, health, reason });

  const total = c.machines.length;
  if (total === 0) return verdict("unknown", "no machines discovered yet");
  if (counts.unknown === total) return verdict("unknown", "no state collected yet");
  if (counts.unreachable === total) return verdict("unreachable", `none of the ${total} machines answers`);

  const problems: string[] = [];
  const notHealthy = [...c.machines]
    .filter((m) => m.health !== "healthy")
    .sort((a, b) => SEVERITY[b.health] - SEVERITY[a.health] || a.hostname.localeCompare(b.hostname));
  const machineSummary = notHealthy.length
    ? `${notHealthy.length} of ${total} machines need attention: ${listSome(notHealthy.map((m) => `${m.hostname} ${m.health}`))}`
    : "";

  const upgrading = counts.upgrading > 0;
  if (controlPlanes.length > 0 && !quorum && !upgrading) {
    problems.push(`etcd has no quorum: ${healthyMembers} of ${members} members healthy`);
  }
  if (controlPlanes.length > 0 && servedBy.length === 0 && !upgrading) {
    problems.push("Kubernetes API is not ready: no control plane serves kube-apiserver");
  }
  if (controlPlanes.length === 0) problems.push("no control plane discovered");
  if (problems.length > 0) {
    return verdict("unhealthy", [...problems, machineSummary].filter(Boolean).join("; "));
  }
  if (upgrading) {
    const names = c.machines.filter((m) => m.health === "upgrading").map((m) => m.hostname);
    return verdict("upgrading", `upgrading ${listSome(names)}${machineSummary ? `; ${machineSummary}` : ""}`);
  }
  const cpTrouble = controlPlanes.some((m) => m.health !== "healthy");
  const etcdShort = healthyMembers < members;
  if (notHealthy.length > 0 || etcdShort || c.kubeApiError) {
    const extra = etcdShort ? `etcd ${healthyMembers} of ${members} members healthy (quorum holds)` : "";
    const api = c.kubeApiError ? `Kubernetes API does not answer Minos: ${c.kubeApiError}` : "";
    const parts = [extra, api, machineSummary].filter(Boolean);
    // A machine or two out of many is degraded; most of the cluster gone is unhealthy.
    const bad = counts.unhealthy + counts.unreachable;
    const health: Health = bad * 2 > total || (cpTrouble && bad === total) ? "unhealthy" : "degraded";
    return verdict(health, parts.join("; "));
  }
  return verdict("healthy", "");
}
