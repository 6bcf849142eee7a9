// What draining a wave's nodes would run into, read live from each cluster's Kubernetes API for the
// approver: disruption budgets that allow no disruption now and cover pods on the wave's nodes (their
// drain will wait, and time out unless the budget frees up), pods without a controller (a forced drain
// deletes them for good), and nodes someone else has cordoned (Minos leaves those cordons in place).
// Only machines in the reader's scope are looked at; a cluster whose API does not answer says so.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { machineScopeWhere } from "../../access/auth/scope-filter";
import {
  controllerOf,
  cordonOf,
  describeCordon,
  type KubeClient,
  podName,
  selectorMatches,
  workloadPods,
} from "../../kubernetes";
import { AppError } from "../../model/errors";
import { safetySchema } from "../../model/rollout-safety";
import type { PrismaClient } from "../../platform/db/client";
import type { KubeClients } from "../kubernetes/kube-clients";
import { visibleRollouts } from "./visible-rollouts";

/** Clusters read per briefing (the rest are counted, not read), and at once. */
const MAX_CLUSTERS = 25;
const PARALLEL = 5;
const LISTED = 20;

export interface ClusterRisks {
  cluster: string;
  /** Machines of the wave in this cluster (in scope) and how many were found as Kubernetes nodes. */
  machines: number;
  nodesFound: number;
  blockingBudgets: Array<{
    budget: string;
    allowed: number;
    healthy: number;
    desired: number;
    pods: string[];
  }>;
  unmanagedPods: Array<{ pod: string; node: string }>;
  cordoned: Array<{ node: string; by: string }>;
  /** Workload pods a drain would move off the wave's nodes. */
  workloadPods: number;
  error?: string;
}

export async function getDisruptionRisks(opts: {
  db: PrismaClient;
  kube: KubeClients;
  scopes: string[];
  rolloutId: string;
  waveIndex: number;
}): Promise<{ clusters: ClusterRisks[]; clustersNotRead: number; drain: boolean; drainOffReason: string }> {
  const { db } = opts;
  const rollout = await db.rollout.findFirst({
    where: { id: opts.rolloutId, ...visibleRollouts(opts.scopes) },
    select: { safety: true, waves: { where: { index: opts.waveIndex }, select: { index: true } } },
  });
  if (!rollout || rollout.waves.length === 0) {
    throw new AppError("NOT_FOUND", { userMessage: "There is no such rollout or wave." });
  }
  const machines = await db.machine.findMany({
    where: {
      AND: [
        machineScopeWhere(opts.scopes),
        { rolloutMachines: { some: { rolloutId: opts.rolloutId, waveIndex: opts.waveIndex } } },
      ],
    },
    select: { hostname: true, address: true, cluster: { select: { name: true } } },
  });
  const byCluster = new Map<string, Array<{ hostname: string; address: string }>>();
  for (const m of machines) {
    const list = byCluster.get(m.cluster.name) ?? [];
    list.push(m);
    byCluster.set(m.cluster.name, list);
  }
  const names = [...byCluster.keys()].sort();
  const read = names.slice(0, MAX_CLUSTERS);
  const clusters: ClusterRisks[] = [];
  for (let i = 0; i < read.length; i += PARALLEL) {
    clusters.push(
      ...(await Promise.all(
        read.slice(i, i + PARALLEL).map((c) => risksOf(opts.kube, c, byCluster.get(c) ?? [])),
      )),
    );
  }
  const safety = safetySchema.parse(rollout.safety);
  return {
    clusters,
    clustersNotRead: names.length - read.length,
    drain: safety.drain,
    drainOffReason: safety.drainOffReason,
  };
}

async function risksOf(
  kube: KubeClients,
  cluster: string,
  machines: Array<{ hostname: string; address: string }>,
): Promise<ClusterRisks> {
  const base: ClusterRisks = {
    cluster,
    machines: machines.length,
    nodesFound: 0,
    blockingBudgets: [],
    unmanagedPods: [],
    cordoned: [],
    workloadPods: 0,
  };
  try {
    return await kube.withReader(cluster, (client) => read(client, base, machines));
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  }
}

async function read(
  client: KubeClient,
  base: ClusterRisks,
  machines: Array<{ hostname: string; address: string }>,
): Promise<ClusterRisks> {
  const call = { timeoutMs: 8_000 };
  const [nodes, pods, budgets] = await Promise.all([
    client.listNodes(call),
    client.listPods(call),
    client.listDisruptionBudgets(call),
  ]);
  const waveNodes = nodes.filter((n) => machines.some((m) => isNodeOf(n, m)));
  const nodeNames = new Set(waveNodes.map((n) => n.metadata?.name ?? ""));
  const onWave = pods.filter((p) => nodeNames.has(p.spec?.nodeName ?? ""));
  const moved = workloadPods(onWave);
  const blockingBudgets = budgets
    .filter((b) => (b.status?.disruptionsAllowed ?? 0) === 0)
    .flatMap((b) => {
      const covered = moved.filter(
        (p) =>
          p.metadata?.namespace === b.metadata?.namespace &&
          selectorMatches(b.spec?.selector, p.metadata?.labels),
      );
      if (covered.length === 0) return [];
      return [
        {
          budget: `${b.metadata?.namespace}/${b.metadata?.name}`,
          allowed: b.status?.disruptionsAllowed ?? 0,
          healthy: b.status?.currentHealthy ?? 0,
          desired: b.status?.desiredHealthy ?? 0,
          pods: covered.slice(0, LISTED).map((p) => `${podName(p)} on ${p.spec?.nodeName}`),
        },
      ];
    });
  // workloadPods already left out DaemonSet and mirror pods.
  const unmanaged = moved.filter((p) => !controllerOf(p));
  return {
    ...base,
    nodesFound: waveNodes.length,
    workloadPods: moved.length,
    blockingBudgets: blockingBudgets.slice(0, LISTED),
    unmanagedPods: unmanaged
      .slice(0, LISTED)
      .map((p: V1Pod) => ({ pod: podName(p), node: p.spec?.nodeName ?? "" })),
    cordoned: waveNodes.flatMap((n) => {
      const who = cordonOf(n);
      return who.kind === "none" || who.kind === "minos"
        ? []
        : [{ node: n.metadata?.name ?? "", by: describeCordon(who) }];
    }),
  };
}

/** The Node of a machine: the one with its address, or else named by its hostname (Talos's default). */
function isNodeOf(node: V1Node, m: { hostname: string; address: string }): boolean {
  if (node.status?.addresses?.some((a) => a.type === "InternalIP" && a.address === m.address)) return true;
  return node.metadata?.name === m.hostname.toLowerCase();
}
