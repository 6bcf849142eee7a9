// The initialize and boot sequences machined runs after every (re)boot, as timed steps shared by history and live boots.
import type { NodeRole } from "./fleet-spec";
import { type EventPayload, PhaseAction, SequenceAction, TaskAction } from "./wire";

export type BootStep =
  | { at: number; kind: "event"; payload: EventPayload }
  /** apid starts: the node answers API calls from here on. */
  | { at: number; kind: "apid-up" }
  /** services start: ServiceStateEvents for every service are emitted by the node. */
  | { at: number; kind: "services-up" }
  | { at: number; kind: "running" };

type Seq = Array<[phase: string, tasks: string[]]>;

const INITIALIZE: Seq = [
  ["systemRequirements", ["setupSystemDirectory"]],
  ["integrity", ["writeIMAPolicy"]],
  ["etc", ["createSystemCgroups", "createOSReleaseFile"]],
  ["machined", ["startMachined"]],
  ["config", ["loadConfig"]],
];

function bootPhases(role: NodeRole): Seq {
  return [
    ["saveStateEncryptionConfig", ["saveStateEncryptionConfig"]],
    ["validateConfig", ["validateConfig"]],
    ["saveConfig", ["saveConfig"]],
    ["env", ["setUserEnvVars"]],
    ["containerd", ["startContainerd"]],
    ["dbus", ["startDBus"]],
    ["var", ["setupVarDirectory"]],
    ["userSetup", ["writeUserFiles"]],
    ["lvm", ["activateLogicalVolumes"]],
    ["startEverything", ["startAllServices"]],
    ...(role === "controlplane" ? ([["labelMaster", ["labelNodeAsControlPlane"]]] as Seq) : []),
    ["uncordon", ["uncordonNode"]],
    ["bootloader", ["updateBootloader"]],
  ];
}

const cache = new Map<NodeRole, BootStep[]>();

/** Steps with simulated offsets (ms) from the moment the kernel hands over to machined. */
export function bootScript(role: NodeRole): readonly BootStep[] {
  const cached = cache.get(role);
  if (cached) return cached;
  const steps: BootStep[] = [];
  let t = 0;
  const ev = (payload: EventPayload, dt = 10) => {
    t += dt;
    steps.push({ at: t, kind: "event", payload });
  };
  const runSequence = (name: string, phases: Seq) => {
    ev({ type: "SequenceEvent", sequence: name, action: SequenceAction.START });
    for (const [phase, tasks] of phases) {
      ev({ type: "PhaseEvent", phase, action: PhaseAction.START });
      for (const task of tasks) {
        ev({ type: "TaskEvent", task, action: TaskAction.START });
        if (task === "startAllServices") {
          t += 300;
          steps.push({ at: t, kind: "apid-up" });
          steps.push({ at: t + 10, kind: "services-up" });
          t += 4000;
        } else {
          t += 120;
        }
        ev({ type: "TaskEvent", task, action: TaskAction.STOP });
      }
      ev({ type: "PhaseEvent", phase, action: PhaseAction.STOP });
    }
    ev({ type: "SequenceEvent", sequence: name, action: SequenceAction.STOP });
  };
  runSequence("initialize", INITIALIZE);
  runSequence("boot", bootPhases(role));
  steps.push({ at: t + 1500, kind: "running" });
  cache.set(role, steps);
  return steps;
}

/** Simulated time from power-on to machined starting the initialize sequence. */
export const KERNEL_BOOT_MS = 8_000;
