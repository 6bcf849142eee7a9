// What logs.follow sends to the browser: frames of lines, markers and stream states, batched every
// few tens of milliseconds. Columnar so a frame of thousands of lines stays cheap to serialise.
// Type-only: imported by the browser hook (app/_components/log-viewer/use-log-stream.ts).
import type { MachineStreamState } from "./log-lines";

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

/**
 * A frame as it travels: one string, so the transformer (superjson) does not walk thousands of values.
 * The header (machines, times, markers, states) as JSON, a newline, then the texts joined by newlines —
 * lines never contain one, since they were split on it; if one does (a kernel record), the texts go as
 * a JSON array in the header instead.
 */
export interface PackedFrame {
  p: string;
}

interface Header extends Omit<LogFrame, "text"> {
  /** The texts, when they could not be joined by newlines. */
  x?: string[];
}

export function packFrame(frame: LogFrame): PackedFrame {
  const { text, ...rest } = frame;
  const joinable = !text.some((t) => t.includes("\n"));
  const header: Header = joinable ? rest : { ...rest, x: text };
  return { p: `${JSON.stringify(header)}\n${joinable ? text.join("\n") : ""}` };
}

export function unpackFrame(packed: PackedFrame): LogFrame {
  const cut = packed.p.indexOf("\n");
  const { x, ...header } = JSON.parse(packed.p.slice(0, cut)) as Header;
  const text = x ?? (header.machine.length === 0 ? [] : packed.p.slice(cut + 1).split("\n"));
  return { ...header, text };
}
