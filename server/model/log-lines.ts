// What the live log view shows: the contract between the stream (useLogStream, which talks to the
// server) and the viewer (LogViewer, which only renders and filters what it is given).

/** A machine whose log is shown; the viewer picks its colour from its index in `machines`. */
export interface LogMachine {
  id: string;
  hostname: string;
}

/** One log line as the node sent it (text may hold ANSI colour sequences and anything else). */
export interface LogLine {
  type: "line";
  /** Unique and increasing in the order entries were received; a stable React key. */
  seq: number;
  machineId: string;
  /** Time parsed from the line (ms since the epoch), else the time it arrived. */
  time: number;
  text: string;
}

/** A note in the flow of lines: where lines may be missing, or what happened to a stream. */
export interface LogMarker {
  type: "marker";
  seq: number;
  /** Absent when the marker concerns the whole view. */
  machineId?: string;
  time: number;
  /** gap: lines may be missing here (reconnect, dropped by a slow connection); status: a stream's state changed. */
  kind: "gap" | "status";
  text: string;
}

export type LogEntry = LogLine | LogMarker;

/** Where each machine's stream stands, shown beside its name. */
export type StreamStatus =
  | "connecting"
  | "streaming"
  | "retrying" // unreachable or rebooting: Minos keeps trying
  | "ended"
  | "failed"; // will not come back by itself (source not on this node, permission denied, limit reached)

export interface MachineStreamState {
  machineId: string;
  status: StreamStatus;
  /** In words: "rebooting: retrying in 4 s", "kubelet is not a log source on this machine", … */
  message: string;
}
