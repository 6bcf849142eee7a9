// Version and hostname of a node (MachineService.Version / Hostname).
import { Empty } from "@/proto/generated/google/protobuf/empty";
import { MachineServiceService, type Version } from "@/proto/generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { callNode, unaryOperation } from "../operation";

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

export const VERSION_OP = unaryOperation({
  def: MachineServiceService.version,
  spec: () => ({ operation: "Reading the Talos version" }),
  request: () => Empty.create(),
  result: toTalosVersion,
});

export const HOSTNAME_OP = unaryOperation({
  def: MachineServiceService.hostname,
  spec: () => ({ operation: "Reading the hostname" }),
  request: () => Empty.create(),
  result: (m) => m.hostname,
});

export function version(caller: NodeCaller, target: CallTarget): Promise<TalosVersion> {
  return callNode(caller, VERSION_OP, target);
}

export function hostname(caller: NodeCaller, target: CallTarget): Promise<string> {
  return callNode(caller, HOSTNAME_OP, target);
}
