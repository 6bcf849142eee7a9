// Version and hostname of a node (MachineService.Version / Hostname), in single-node and aggregated form.
import type { NodeResult } from "../fan-out";
import { Empty } from "../generated/google/protobuf/empty";
import { MachineServiceService, type Version } from "../generated/machine/machine";
import { type CallTarget, type NodeCaller, nodesRouting } from "../node-call";
import { singleMessage, splitByNode } from "../replies";

export interface TalosVersion {
  /** e.g. v1.13.9 */
  tag: string;
  sha: string;
  built: string;
  goVersion: string;
  os: string;
  arch: string;
  platform: { name: string; mode: string };
  features: { rbac: boolean };
}

const VERSION = { operation: "Reading the Talos version" };
const HOSTNAME = { operation: "Reading the hostname" };

function toTalosVersion(m: Version): TalosVersion {
  const v = m.version;
  return {
    tag: v?.tag ?? "",
    sha: v?.sha ?? "",
    built: v?.built ?? "",
    goVersion: v?.goVersion ?? "",
    os: v?.os ?? "",
    arch: v?.arch ?? "",
    platform: { name: m.platform?.name ?? "", mode: m.platform?.mode ?? "" },
    features: { rbac: m.features?.rbac ?? false },
  };
}

export async function version(caller: NodeCaller, target: CallTarget): Promise<TalosVersion> {
  const def = MachineServiceService.version;
  const reply = await caller.unary(def, Empty.create(), VERSION, target);
  return toTalosVersion(singleMessage(caller, def, VERSION, reply, target.node));
}

export async function hostname(caller: NodeCaller, target: CallTarget): Promise<string> {
  const def = MachineServiceService.hostname;
  const reply = await caller.unary(def, Empty.create(), HOSTNAME, target);
  return singleMessage(caller, def, HOSTNAME, reply, target.node).hostname;
}

/** One aggregated call (`nodes` metadata) as older talosctl makes it; per-node failures come back as results. */
export async function versionAggregated(
  caller: NodeCaller,
  nodes: readonly string[],
  target: Omit<CallTarget, "node"> = {},
): Promise<NodeResult<TalosVersion>[]> {
  const def = MachineServiceService.version;
  const reply = await caller.unary(def, Empty.create(), VERSION, target, nodesRouting(nodes));
  return splitByNode(caller, def, VERSION, nodes, reply, toTalosVersion);
}

export async function hostnameAggregated(
  caller: NodeCaller,
  nodes: readonly string[],
  target: Omit<CallTarget, "node"> = {},
): Promise<NodeResult<string>[]> {
  const def = MachineServiceService.hostname;
  const reply = await caller.unary(def, Empty.create(), HOSTNAME, target, nodesRouting(nodes));
  return splitByNode(caller, def, HOSTNAME, nodes, reply, (m) => m.hostname);
}
