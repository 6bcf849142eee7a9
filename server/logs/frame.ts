// What logs.follow sends to the browser: frames of lines, markers and stream states, batched every
// few tens of milliseconds. Columnar so a frame of thousands of lines stays cheap to serialise.
// Type-only: imported by the browser hook (app/_components/log-viewer/use-log-stream.ts).
import type { MachineStreamState } from "../../app/_components/log-viewer/types";

export interface FrameMarker {
  /** Placed before line `at` of this frame (`at` = lines count: after the last). */
  at: number;
  /** Index into the subscription's machineIds; absent for the whole view. */
  machine?: number;
  kind: "gap" | "status";
  time: number;
  text: string;
}

export interface LogFrame {
  /** Per line, the index of its machine in the subscription's machineIds. */
  machine: number[];
  /** Per line, ms since the epoch: parsed from the line where it carries a timestamp, else arrival. */
  time: number[];
  /** Per line, the text (valid UTF-16, at most MAX_LINE_CHARS plus a note when cut). */
  text: string[];
  markers: FrameMarker[];
  /** Machines whose state changed since the previous frame. */
  states: MachineStreamState[];
}
