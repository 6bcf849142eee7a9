// Typed Talos resources Minos reads over COSI: machine status, cluster members, boot id, machine config.
import { MachineConfigSpec } from "@/proto/generated/resource/config/config";
import { MemberSpec } from "@/proto/generated/resource/definitions/cluster/cluster";
import {
  machineTypeToJSON,
  runtimeMachineStageToJSON,
} from "@/proto/generated/resource/definitions/enums/enums";
import { BootIDSpec, MachineStatusSpec } from "@/proto/generated/resource/definitions/runtime/runtime";
import type { CallTarget, NodeCaller } from "../node-call";
import { getResource, listResources, type RawResource, type ResourceKind, watchResources } from "./resources";

export const MACHINE_STATUS: ResourceKind = {
  namespace: "runtime",
  type: "MachineStatuses.runtime.talos.dev",
};
export const MEMBERS: ResourceKind = { namespace: "cluster", type: "Members.cluster.talos.dev" };
export const BOOT_ID: ResourceKind = { namespace: "runtime", type: "BootIDs.runtime.talos.dev" };
export const MACHINE_CONFIG: ResourceKind = {
  namespace: "config",
  type: "MachineConfigs.config.talos.dev",
  sensitive: true,
};

export interface MachineStatus {
  /** BOOTING, RUNNING, UPGRADING, REBOOTING, ... */
  stage: string;
  /** Only meaningful in BOOTING and RUNNING: check `stage === "RUNNING" && ready`. */
  ready: boolean;
  unmetConditions: Array<{ name: string; reason: string }>;
}

export interface ClusterMember {
  id: string;
  nodeId: string;
  hostname: string;
  addresses: string[];
  /** controlplane, worker, init or unknown. */
  machineType: string;
  operatingSystem: string;
  apiServerPort?: number;
}

function toMachineStatus(r: RawResource): MachineStatus {
  const spec = MachineStatusSpec.decode(r.protoSpec);
  return {
    stage: runtimeMachineStageToJSON(spec.stage).replace(/^MACHINE_STAGE_/, ""),
    ready: spec.status?.ready ?? false,
    unmetConditions: (spec.status?.unmetConditions ?? []).map((c) => ({ name: c.name, reason: c.reason })),
  };
}

export async function machineStatus(caller: NodeCaller, target: CallTarget): Promise<MachineStatus> {
  return toMachineStatus(await getResource(caller, MACHINE_STATUS, "machine", target));
}

/** Yields the machine status now and at every change, until target.signal aborts. */
export async function* watchMachineStatus(
  caller: NodeCaller,
  target: CallTarget,
): AsyncGenerator<MachineStatus> {
  for await (const event of watchResources(caller, MACHINE_STATUS, { ...target, id: "machine" })) {
    if (event.resource && (event.type === "CREATED" || event.type === "UPDATED")) {
      yield toMachineStatus(event.resource);
    }
  }
}

const MACHINE_TYPES: Record<string, string> = {
  TYPE_INIT: "init",
  TYPE_CONTROL_PLANE: "controlplane",
  TYPE_WORKER: "worker",
};

export async function members(caller: NodeCaller, target: CallTarget): Promise<ClusterMember[]> {
  const resources = await listResources(caller, MEMBERS, target);
  return resources.map((r) => {
    const spec = MemberSpec.decode(r.protoSpec);
    const port = spec.controlPlane ? Number(spec.controlPlane.apiServerPort) : undefined;
    return {
      id: r.id,
      nodeId: spec.nodeId,
      hostname: spec.hostname,
      addresses: spec.addresses.map((a) => formatIp(a.ip)),
      machineType: MACHINE_TYPES[machineTypeToJSON(spec.machineType)] ?? "unknown",
      operatingSystem: spec.operatingSystem,
      ...(port ? { apiServerPort: port } : {}),
    };
  });
}

/** The kernel boot id: it changes on every reboot, which is how an upgrade is known to have happened. */
export async function bootId(caller: NodeCaller, target: CallTarget): Promise<string> {
  return BootIDSpec.decode((await getResource(caller, BOOT_ID, "boot-id", target)).protoSpec).bootId;
}

/** The machine configuration YAML as submitted to the node (contains secrets; os:admin only). */
export async function machineConfig(caller: NodeCaller, target: CallTarget): Promise<string> {
  const r = await getResource(caller, MACHINE_CONFIG, "v1alpha1", target);
  const spec = MachineConfigSpec.decode(r.protoSpec);
  return spec.yamlMarshalled.length > 0 ? Buffer.from(spec.yamlMarshalled).toString("utf8") : r.yamlSpec;
}

/** Formats a 4- or 16-byte address as text. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
    return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
  }
  return Buffer.from(bytes).toString("hex");
}
