// Encodes simulator events as machine.Event with the payload packed into Any under Talos's talos/runtime/ type URL.
import {
  AddressEvent,
  ConfigLoadErrorEvent,
  ConfigValidationErrorEvent,
  type Event,
  MachineStatusEvent,
  PhaseEvent,
  RestartEvent,
  SequenceEvent,
  ServiceStateEvent,
  TaskEvent,
} from "@/proto/generated/machine/machine";
import { type EventPayload, eventTypeUrl, type SimEvent } from "../wire";

function encodePayload(p: EventPayload): Uint8Array {
  switch (p.type) {
    case "SequenceEvent":
      return SequenceEvent.encode(
        SequenceEvent.fromPartial({
          sequence: p.sequence,
          action: p.action,
          error: p.error ? { code: p.error.code, message: p.error.message, details: [] } : undefined,
        }),
      ).finish();
    case "PhaseEvent":
      return PhaseEvent.encode(PhaseEvent.fromPartial({ phase: p.phase, action: p.action })).finish();
    case "TaskEvent":
      return TaskEvent.encode(TaskEvent.fromPartial({ task: p.task, action: p.action })).finish();
    case "ServiceStateEvent":
      return ServiceStateEvent.encode(
        ServiceStateEvent.fromPartial({
          service: p.service,
          action: p.action,
          message: p.message,
          health: p.health,
        }),
      ).finish();
    case "RestartEvent":
      return RestartEvent.encode(RestartEvent.fromPartial({ cmd: String(p.cmd) })).finish();
    case "MachineStatusEvent":
      return MachineStatusEvent.encode(
        MachineStatusEvent.fromPartial({ stage: p.stage, status: p.status }),
      ).finish();
    case "AddressEvent":
      return AddressEvent.encode(
        AddressEvent.fromPartial({ hostname: p.hostname, addresses: p.addresses }),
      ).finish();
    case "ConfigLoadErrorEvent":
      return ConfigLoadErrorEvent.encode({ error: p.error }).finish();
    case "ConfigValidationErrorEvent":
      return ConfigValidationErrorEvent.encode({ error: p.error }).finish();
  }
}

export function toEventMessage(e: SimEvent): Event {
  return {
    metadata: undefined,
    data: { typeUrl: eventTypeUrl(e.payload), value: Buffer.from(encodePayload(e.payload)) },
    id: e.id,
    actorId: e.actorId,
  };
}

/** The first message of every Events stream: empty Any, fresh id, the caller's actor filter echoed. */
export function helloEvent(id: string, actorId: string): Event {
  return { metadata: undefined, data: { typeUrl: "", value: Buffer.alloc(0) }, id, actorId };
}
