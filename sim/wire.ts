// Enum values and payload shapes of the Talos wire, as plain data the simulator can hold without the codec.

export const MachineStage = {
  UNKNOWN: 0,
  BOOTING: 1,
  INSTALLING: 2,
  MAINTENANCE: 3,
  RUNNING: 4,
  REBOOTING: 5,
  SHUTTING_DOWN: 6,
  RESETTING: 7,
  UPGRADING: 8,
} as const;
export type MachineStageValue = (typeof MachineStage)[keyof typeof MachineStage];
export const MACHINE_STAGE_NAMES = Object.keys(MachineStage) as Array<keyof typeof MachineStage>;

export const SequenceAction = { NOOP: 0, START: 1, STOP: 2 } as const;
export const PhaseAction = { START: 0, STOP: 1 } as const;
export const TaskAction = { START: 0, STOP: 1 } as const;
export const ErrorCode = { FATAL: 0, LOCKED: 1, CANCELED: 2 } as const;
export const RestartCmd = { RESTART: 0x01234567, KEXEC: 0x45584543, POWER_OFF: 0x4321fedc } as const;

/** ServiceStateEvent.Action, indexed by the state names ServiceInfo.state uses. */
export const ServiceStateAction = {
  Initialized: 0,
  Preparing: 1,
  Waiting: 2,
  Running: 3,
  Stopping: 4,
  Finished: 5,
  Failed: 6,
  Skipped: 7,
  Starting: 8,
} as const;
export type ServiceStateName = keyof typeof ServiceStateAction;

export interface UnmetCondition {
  name: string;
  reason: string;
}

export interface ServiceHealthData {
  unknown: boolean;
  healthy: boolean;
  lastMessage: string;
  lastChange: Date | undefined;
}

export type EventPayload =
  | { type: "SequenceEvent"; sequence: string; action: number; error?: { code: number; message: string } }
  | { type: "PhaseEvent"; phase: string; action: number }
  | { type: "TaskEvent"; task: string; action: number }
  | {
      type: "ServiceStateEvent";
      service: string;
      action: number;
      message: string;
      health?: ServiceHealthData;
    }
  | { type: "RestartEvent"; cmd: number }
  | {
      type: "MachineStatusEvent";
      stage: number;
      status: { ready: boolean; unmetConditions: UnmetCondition[] };
    }
  | { type: "AddressEvent"; hostname: string; addresses: string[] }
  | { type: "ConfigLoadErrorEvent"; error: string }
  | { type: "ConfigValidationErrorEvent"; error: string };

/** One entry of a node's event ring. */
export interface SimEvent {
  id: string;
  timeMs: number;
  actorId: string;
  payload: EventPayload;
}

/** The Any type URL Talos uses for an event payload (not type.googleapis.com). */
export function eventTypeUrl(payload: EventPayload): string {
  return `talos/runtime/machine.${payload.type}`;
}
