// Talos system services of a node: list with state and health, and restart (kubelet and ext-* only).
import { Empty } from "../generated/google/protobuf/empty";
import { MachineServiceService, type ServiceInfo } from "../generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { singleMessage } from "../replies";

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

export async function services(caller: NodeCaller, target: CallTarget): Promise<TalosService[]> {
  const def = MachineServiceService.serviceList;
  const spec = { operation: "Listing services" };
  const reply = await caller.unary(def, Empty.create(), spec, target);
  return singleMessage(caller, def, spec, reply, target.node).services.map(toService);
}

/** Returns Talos's acknowledgement, e.g. `Service "kubelet" restarted`. */
export async function restartService(
  caller: NodeCaller,
  target: CallTarget & { id: string },
): Promise<string> {
  const def = MachineServiceService.serviceRestart;
  const spec = { operation: `Restarting service ${target.id}` };
  const reply = await caller.unary(def, { id: target.id }, spec, target);
  return singleMessage(caller, def, spec, reply, target.node).resp;
}
