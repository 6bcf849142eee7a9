// The seeded, immutable description of a fleet: clusters, their nodes, addresses, roles and starting versions.
import { nodeAddress } from "./addresses";
import { EXTENSIONS, type ExtensionInfo, PLATFORMS, RELEASES, type TalosRelease } from "./catalog";
import { rng } from "./rng";

export type NodeRole = "controlplane" | "worker";

/** Something wrong with a node from the start, so a fresh fleet is not uniformly green. */
export type InitialIssue = "none" | "kubelet-unhealthy" | "node-not-ready";

export interface NodeSpec {
  /** 0-based position in the fleet; also picks the address. */
  index: number;
  hostname: string;
  address: string;
  role: NodeRole;
  clusterIndex: number;
  clusterName: string;
  /** 0-based position inside its cluster; control planes come first. */
  indexInCluster: number;
  platform: { name: string; mode: string };
  extensions: readonly ExtensionInfo[];
  talosVersion: string;
  kubernetesVersion: string;
  /** Simulated time since the last boot when the simulator starts. */
  uptimeMs: number;
  cpus: number;
  memTotalKb: number;
  issue: InitialIssue;
}

export interface ClusterSpec {
  index: number;
  name: string;
  /** Address of the first control-plane node: where the cluster's apid endpoint listens. */
  endpointAddress: string;
  kubernetesVersion: string;
  release: TalosRelease;
  /** Stable id used in cluster discovery and config secrets. */
  clusterId: string;
  nodes: NodeSpec[];
}

export interface FleetSpec {
  seed: string;
  clusters: ClusterSpec[];
}

const ENVIRONMENTS = ["prod", "staging", "edge", "lab", "ci", "dev"] as const;
const REGIONS = ["fra", "ams", "par", "nyc", "sfo", "sin", "syd", "gru"] as const;
const HOUR = 3_600_000;

function controlPlaneCount(nodesPerCluster: number): number {
  if (nodesPerCluster >= 3) return 3;
  return 1;
}

export interface FleetSpecOptions {
  seed: string;
  clusters: number;
  nodesPerCluster: number;
  /** Every node starts on this Talos release (a tag of the catalog) instead of a seeded mix. */
  talosVersion?: string;
  /** No node starts with an issue (by default a few have an unhealthy kubelet or a node not ready). */
  healthy?: boolean;
}

/** Builds the fleet; the same options always give the same fleet. */
export function buildFleetSpec(opts: FleetSpecOptions): FleetSpec {
  if (!Number.isInteger(opts.clusters) || opts.clusters < 1)
    throw new Error("clusters must be a positive integer");
  if (!Number.isInteger(opts.nodesPerCluster) || opts.nodesPerCluster < 1) {
    throw new Error("nodes per cluster must be a positive integer");
  }
  const only =
    opts.talosVersion === undefined ? undefined : RELEASES.find((r) => r.tag === opts.talosVersion);
  if (opts.talosVersion !== undefined && !only) {
    throw new Error(
      `unknown Talos release "${opts.talosVersion}"; the simulator knows ${RELEASES.map((r) => r.tag).join(", ")}`,
    );
  }
  const clusters: ClusterSpec[] = [];
  let nodeIndex = 0;
  // newer releases are more common, as in a real fleet
  const weighted = RELEASES.flatMap((r, i) => Array<TalosRelease>(i + 1).fill(r));
  for (let c = 0; c < opts.clusters; c++) {
    const r = rng(opts.seed, "cluster", c);
    const name = `${r.pick(ENVIRONMENTS)}-${r.pick(REGIONS)}-${c + 1}`;
    const picked = r.pick(weighted);
    const release = only ?? picked;
    const kubernetesVersion = r.pick(release.kubernetes);
    const cps = controlPlaneCount(opts.nodesPerCluster);
    const platform = r.pick(PLATFORMS);
    const clusterExtensions = EXTENSIONS.filter(() => r.chance(0.3));
    // a cluster part-way through a rollout has one node on another release
    const lagging = r.chance(0.2) ? r.int(0, opts.nodesPerCluster - 1) : -1;
    const laggard = only ? -1 : lagging;
    const older = RELEASES[Math.max(0, RELEASES.indexOf(release) - 1)] ?? release;
    const nodes: NodeSpec[] = [];
    for (let i = 0; i < opts.nodesPerCluster; i++) {
      const nr = rng(opts.seed, "node", c, i);
      const role: NodeRole = i < cps ? "controlplane" : "worker";
      const nodeRelease = i === laggard ? older : release;
      const issueRoll = nr.next();
      nodes.push({
        index: nodeIndex,
        hostname: role === "controlplane" ? `${name}-cp-${i + 1}` : `${name}-w-${i - cps + 1}`,
        address: nodeAddress(nodeIndex),
        role,
        clusterIndex: c,
        clusterName: name,
        indexInCluster: i,
        platform,
        extensions: clusterExtensions,
        talosVersion: nodeRelease.tag,
        kubernetesVersion: nodeRelease.kubernetes.includes(kubernetesVersion)
          ? kubernetesVersion
          : (nodeRelease.kubernetes[0] ?? kubernetesVersion),
        uptimeMs: nr.int(2 * HOUR, 40 * 24 * HOUR),
        cpus: nr.pick([2, 4, 8, 16]),
        memTotalKb: nr.pick([4, 8, 16, 32, 64]) * 1024 * 1024 - nr.int(100_000, 300_000),
        issue: opts.healthy
          ? "none"
          : role === "worker" && issueRoll < 0.03
            ? "node-not-ready"
            : issueRoll > 0.975
              ? "kubelet-unhealthy"
              : "none",
      });
      nodeIndex++;
    }
    const first = nodes[0];
    if (!first) throw new Error("cluster without nodes");
    clusters.push({
      index: c,
      name,
      endpointAddress: first.address,
      kubernetesVersion,
      release,
      clusterId: rng(opts.seed, "cluster-id", c).hex(32),
      nodes,
    });
  }
  return { seed: opts.seed, clusters };
}
