// Talos system services of a node: list with state and health, and restart (kubelet and ext-* only).
import { Empty } from "@/proto/generated/google/protobuf/empty";
import { MachineServiceService, type ServiceInfo } from "@/proto/generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { callNode, unaryOperation } from "../operation";

export interface TalosService {
  id: string;
  /** Running, Waiting, Failed, Finished, ... as Talos names them. */
  state: string;
  health: { unknown: boolean; healthy: boolean; lastMessage: string; lastChange?: Date };
  /** Recent state changes, oldest first (Talos keeps up to 64). */
  events: Array<{ message: string; state: string; at?: Date }>;
}

function toService(s: ServiceInfo): TalosService {
  return {
    id: s.id,
    state: s.state,
    health: {
      unknown: s.health?.unknown ?? true,
      healthy: s.health?.healthy ?? false,
      lastMessage: s.health?.lastMessage ?? "",
      ...(s.health?.lastChange ? { lastChange: s.health.lastChange } : {}),
    },
    events: (s.events?.events ?? []).map((e) => ({
      message: e.msg,
      state: e.state,
      ...(e.ts ? { at: e.ts } : {}),
    })),
  };
}

export const SERVICES_OP = unaryOperation({
  def: MachineServiceService.serviceList,
  spec: () => ({ operation: "Listing services" }),
  request: () => Empty.create(),
  result: (m) => m.services.map(toService),
});

export const RESTART_SERVICE_OP = unaryOperation({
  def: MachineServiceService.serviceRestart,
  spec: (o: { id: string }) => ({ operation: `Restarting service ${o.id}` }),
  request: (o: { id: string }) => ({ id: o.id }),
  result: (m) => m.resp,
});

export function services(caller: NodeCaller, target: CallTarget): Promise<TalosService[]> {
  return callNode(caller, SERVICES_OP, target);
}

/** Returns Talos's acknowledgement, e.g. `Service "kubelet" restarted`. */
export function restartService(caller: NodeCaller, target: CallTarget & { id: string }): Promise<string> {
  return callNode(caller, RESTART_SERVICE_OP, target);
}
