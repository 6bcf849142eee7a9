// Node resource figures and containers: memory (MemInfo, kB), CPU and process counters (SystemStat), containers.
import { ContainerDriver } from "../generated/common/common";
import { Empty } from "../generated/google/protobuf/empty";
import { type CPUStat, MachineServiceService } from "../generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { callNode, unaryOperation } from "../operation";

export interface MemoryInfo {
  /** kB, as /proc/meminfo reports them. */
  totalKb: number;
  freeKb: number;
  availableKb: number;
  buffersKb: number;
  cachedKb: number;
  swapTotalKb: number;
  swapFreeKb: number;
}

export interface CpuTimes {
  /** Seconds since boot per state. */
  user: number;
  system: number;
  idle: number;
  iowait: number;
  steal: number;
}

export interface SystemStats {
  bootTime: Date;
  cpuTotal: CpuTimes;
  cpus: CpuTimes[];
  processesRunning: number;
  processesBlocked: number;
  contextSwitches: number;
}

export interface ContainerInfo {
  namespace: string;
  id: string;
  name: string;
  image: string;
  pid: number;
  status: string;
  podId: string;
}

export const MEMORY_OP = unaryOperation({
  def: MachineServiceService.memory,
  spec: () => ({ operation: "Reading memory usage" }),
  request: () => Empty.create(),
  result: (m): MemoryInfo => {
    const i = m.meminfo;
    return {
      totalKb: Number(i?.memtotal ?? 0),
      freeKb: Number(i?.memfree ?? 0),
      availableKb: Number(i?.memavailable ?? 0),
      buffersKb: Number(i?.buffers ?? 0),
      cachedKb: Number(i?.cached ?? 0),
      swapTotalKb: Number(i?.swaptotal ?? 0),
      swapFreeKb: Number(i?.swapfree ?? 0),
    };
  },
});

export function memory(caller: NodeCaller, target: CallTarget): Promise<MemoryInfo> {
  return callNode(caller, MEMORY_OP, target);
}

function cpuTimes(c: CPUStat | undefined): CpuTimes {
  return {
    user: c?.user ?? 0,
    system: c?.system ?? 0,
    idle: c?.idle ?? 0,
    iowait: c?.iowait ?? 0,
    steal: c?.steal ?? 0,
  };
}

export const SYSTEM_STAT_OP = unaryOperation({
  def: MachineServiceService.systemStat,
  spec: () => ({ operation: "Reading system statistics" }),
  request: () => Empty.create(),
  result: (s): SystemStats => ({
    bootTime: new Date(Number(s.bootTime) * 1000),
    cpuTotal: cpuTimes(s.cpuTotal),
    cpus: s.cpu.map(cpuTimes),
    processesRunning: Number(s.processRunning),
    processesBlocked: Number(s.processBlocked),
    contextSwitches: Number(s.contextSwitches),
  }),
});

export function systemStat(caller: NodeCaller, target: CallTarget): Promise<SystemStats> {
  return callNode(caller, SYSTEM_STAT_OP, target);
}

export const CONTAINERS_OP = unaryOperation({
  def: MachineServiceService.containers,
  spec: () => ({ operation: "Listing containers" }),
  request: (o: { kubernetes?: boolean }) => ({
    namespace: o.kubernetes ? "k8s.io" : "system",
    driver: o.kubernetes ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
  }),
  result: (m): ContainerInfo[] =>
    m.containers.map((c) => ({
      namespace: c.namespace,
      id: c.id,
      name: c.name,
      image: c.image,
      pid: c.pid,
      status: c.status,
      podId: c.podId,
    })),
});

/** Containers of the node: Talos system services, or Kubernetes pods' containers with `kubernetes: true`. */
export function containers(
  caller: NodeCaller,
  target: CallTarget & { kubernetes?: boolean },
): Promise<ContainerInfo[]> {
  return callNode(caller, CONTAINERS_OP, target);
}
