// Node resource figures and containers: memory (MemInfo, kB), CPU and process counters (SystemStat), containers.
import { ContainerDriver } from "@/proto/generated/common/common";
import { MachineServiceService } from "@/proto/generated/machine/machine";
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
