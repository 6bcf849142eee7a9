// Events read from a node come out typed: hello recognised, talos/runtime/... payloads decoded, unknown ones kept.
import { describe, expect, it } from "vitest";
import { Code } from "@/proto/generated/common/common";
import {
  Event,
  MachineStatusEvent,
  MachineStatusEvent_MachineStage,
  PhaseEvent,
  PhaseEvent_Action,
  RestartEvent,
  SequenceEvent,
  SequenceEvent_Action,
  ServiceStateEvent,
  ServiceStateEvent_Action,
  TaskEvent,
  TaskEvent_Action,
} from "@/proto/generated/machine/machine";
import { decodeEvent } from "./event-decoder";

/** Encodes and decodes through the wire format, as an Events stream message would arrive. */
function wire(typeUrl: string, value: Uint8Array, extra: Partial<Event> = {}) {
  const bytes = Event.encode(
    Event.fromPartial({
      id: "d2hl5q0c8ac4pv5cbmd0",
      actorId: "",
      data: { typeUrl, value: Buffer.from(value) },
      ...extra,
    }),
  ).finish();
  return decodeEvent(Event.decode(bytes));
}

describe("decodeEvent", () => {
  it("recognises the hello event (empty type URL) with the requested actor id", () => {
    const e = wire("", new Uint8Array(), { actorId: "actor-1" });
    expect(e.payload).toEqual({ type: "hello" });
    expect(e.actorId).toBe("actor-1");
  });

  it("decodes sequence events, including a LOCKED conflict error", () => {
    const bytes = SequenceEvent.encode({
      sequence: "upgrade",
      action: SequenceEvent_Action.NOOP,
      error: { code: Code.LOCKED, message: "sequence not started: locked", details: [] },
    }).finish();
    expect(wire("talos/runtime/machine.SequenceEvent", bytes).payload).toEqual({
      type: "sequence",
      sequence: "upgrade",
      action: "NOOP",
      error: { code: "LOCKED", message: "sequence not started: locked" },
    });
  });

  it("decodes phase and task events", () => {
    const phase = PhaseEvent.encode({ phase: "stopEverything", action: PhaseEvent_Action.START }).finish();
    const task = TaskEvent.encode({ task: "stopAllServices", action: TaskEvent_Action.STOP }).finish();
    expect(wire("talos/runtime/machine.PhaseEvent", phase).payload).toEqual({
      type: "phase",
      phase: "stopEverything",
      action: "START",
    });
    expect(wire("talos/runtime/machine.TaskEvent", task).payload).toEqual({
      type: "task",
      task: "stopAllServices",
      action: "STOP",
    });
  });

  it("decodes service state events with health", () => {
    const bytes = ServiceStateEvent.encode({
      service: "kubelet",
      action: ServiceStateEvent_Action.RUNNING,
      message: "Health check successful",
      health: {
        unknown: false,
        healthy: true,
        lastMessage: "",
        lastChange: new Date("2026-08-14T10:00:00Z"),
      },
    }).finish();
    const e = wire("talos/runtime/machine.ServiceStateEvent", bytes);
    expect(e.payload).toMatchObject({ type: "serviceState", service: "kubelet", action: "RUNNING" });
    if (e.payload.type !== "serviceState") throw new Error("wrong type");
    expect(e.payload.health?.healthy).toBe(true);
    expect(e.payload.health?.lastChange?.toISOString()).toBe("2026-08-14T10:00:00.000Z");
  });

  it("names restart commands", () => {
    const kexec = RestartEvent.encode({ cmd: String(0x45584543) }).finish();
    expect(wire("talos/runtime/machine.RestartEvent", kexec).payload).toEqual({
      type: "restart",
      command: "KEXEC",
    });
  });

  it("decodes machine status with unmet conditions", () => {
    const bytes = MachineStatusEvent.encode({
      stage: MachineStatusEvent_MachineStage.BOOTING,
      status: { ready: false, unmetConditions: [{ name: "services", reason: "kubelet not healthy" }] },
    }).finish();
    expect(wire("talos/runtime/machine.MachineStatusEvent", bytes).payload).toEqual({
      type: "machineStatus",
      stage: "BOOTING",
      ready: false,
      unmetConditions: [{ name: "services", reason: "kubelet not healthy" }],
    });
  });

  it("keeps the node of aggregated events and tolerates unknown payload types", () => {
    const e = wire("talos/runtime/machine.SomethingNew", new Uint8Array([1, 2]), {
      metadata: { hostname: "127.0.0.3", error: "", status: undefined },
    });
    expect(e.node).toBe("127.0.0.3");
    expect(e.payload).toEqual({ type: "unknown", typeUrl: "talos/runtime/machine.SomethingNew" });
  });
});
