// Decodes Talos Events: the hello event, and payloads whose Any type URLs are "talos/runtime/machine.<Name>".
import { codeToJSON } from "@/proto/generated/common/common";
import {
  AddressEvent,
  ConfigLoadErrorEvent,
  ConfigValidationErrorEvent,
  type Event,
  MachineStatusEvent,
  machineStatusEvent_MachineStageToJSON,
  PhaseEvent,
  phaseEvent_ActionToJSON,
  RestartEvent,
  SequenceEvent,
  ServiceStateEvent,
  sequenceEvent_ActionToJSON,
  serviceStateEvent_ActionToJSON,
  TaskEvent,
  taskEvent_ActionToJSON,
} from "@/proto/generated/machine/machine";

/** Talos prefixes event payload type URLs with this instead of type.googleapis.com/. */
export const EVENT_TYPE_URL_PREFIX = "talos/runtime/";

/** Restart commands carried by RestartEvent (Linux reboot(2) magic numbers). */
const RESTART_COMMANDS: Record<string, string> = {
  [String(0x01234567)]: "RESTART",
  [String(0x45584543)]: "KEXEC",
  [String(0x4321fedc)]: "POWER_OFF",
};

export interface ServiceHealthInfo {
  unknown: boolean;
  healthy: boolean;
  lastMessage: string;
  lastChange?: Date;
}

export type TalosEventPayload =
  /** The first message of every Events stream: the subscription is live. */
  | { type: "hello" }
  | { type: "sequence"; sequence: string; action: string; error?: { code: string; message: string } }
  | { type: "phase"; phase: string; action: string }
  | { type: "task"; task: string; action: string }
  | { type: "serviceState"; service: string; action: string; message: string; health?: ServiceHealthInfo }
  | { type: "restart"; command: string }
  | { type: "configLoadError"; error: string }
  | { type: "configValidationError"; error: string }
  | { type: "address"; hostname: string; addresses: string[] }
  | {
      type: "machineStatus";
      stage: string;
      ready: boolean;
      unmetConditions: Array<{ name: string; reason: string }>;
    }
  | { type: "unknown"; typeUrl: string };

export interface TalosEvent {
  /** rs/xid id: 20 characters, sortable by time. */
  id: string;
  /** The actor (e.g. an upgrade request) that caused the event; "" when none. */
  actorId: string;
  /** The node the event came from, when apid aggregated several (`nodes` routing). */
  node?: string;
  payload: TalosEventPayload;
}

/** Turns one Events stream message into a TalosEvent; unknown payload types are kept as "unknown". */
export function decodeEvent(event: Event): TalosEvent {
  const node = event.metadata?.hostname || undefined;
  return { id: event.id, actorId: event.actorId, ...(node ? { node } : {}), payload: decodePayload(event) };
}

function decodePayload(event: Event): TalosEventPayload {
  const typeUrl = event.data?.typeUrl ?? "";
  const value = event.data?.value ?? new Uint8Array();
  if (typeUrl === "") return { type: "hello" };
  const name = typeUrl.startsWith(EVENT_TYPE_URL_PREFIX)
    ? typeUrl.slice(EVENT_TYPE_URL_PREFIX.length)
    : typeUrl;
  switch (name) {
    case "machine.SequenceEvent": {
      const e = SequenceEvent.decode(value);
      return {
        type: "sequence",
        sequence: e.sequence,
        action: sequenceEvent_ActionToJSON(e.action),
        ...(e.error ? { error: { code: codeToJSON(e.error.code), message: e.error.message } } : {}),
      };
    }
    case "machine.PhaseEvent": {
      const e = PhaseEvent.decode(value);
      return { type: "phase", phase: e.phase, action: phaseEvent_ActionToJSON(e.action) };
    }
    case "machine.TaskEvent": {
      const e = TaskEvent.decode(value);
      return { type: "task", task: e.task, action: taskEvent_ActionToJSON(e.action) };
    }
    case "machine.ServiceStateEvent": {
      const e = ServiceStateEvent.decode(value);
      return {
        type: "serviceState",
        service: e.service,
        action: serviceStateEvent_ActionToJSON(e.action),
        message: e.message,
        ...(e.health
          ? {
              health: {
                unknown: e.health.unknown,
                healthy: e.health.healthy,
                lastMessage: e.health.lastMessage,
                ...(e.health.lastChange ? { lastChange: e.health.lastChange } : {}),
              },
            }
          : {}),
      };
    }
    case "machine.RestartEvent": {
      const e = RestartEvent.decode(value);
      return { type: "restart", command: RESTART_COMMANDS[e.cmd] ?? e.cmd };
    }
    case "machine.ConfigLoadErrorEvent":
      return { type: "configLoadError", error: ConfigLoadErrorEvent.decode(value).error };
    case "machine.ConfigValidationErrorEvent":
      return { type: "configValidationError", error: ConfigValidationErrorEvent.decode(value).error };
    case "machine.AddressEvent": {
      const e = AddressEvent.decode(value);
      return { type: "address", hostname: e.hostname, addresses: e.addresses };
    }
    case "machine.MachineStatusEvent": {
      const e = MachineStatusEvent.decode(value);
      return {
        type: "machineStatus",
        stage: machineStatusEvent_MachineStageToJSON(e.stage),
        ready: e.status?.ready ?? false,
        unmetConditions: (e.status?.unmetConditions ?? []).map((c) => ({ name: c.name, reason: c.reason })),
      };
    }
    default:
      return { type: "unknown", typeUrl };
  }
}
