// The browser side of a live log stream, without React: turns server frames into entries, merges
// them in time order across machines (each machine's times never go backwards, so a stable merge
// keeps every machine's own order), holds them while paused and drops the oldest beyond the cap.
// useLogStream calls flush() at most once per animation frame.
import type { LogFrame } from "@/server/model/log-frame";
import type { LogEntry, MachineStreamState } from "../../../server/model/log-lines";

export class LogStreamBuffer {
  /** What is shown; replaced (new identity) by each flush that changes it. */
  entries: readonly LogEntry[] = [];
  /** Received since the last flush, in arrival order. */
  private incoming: LogEntry[] = [];
  /** Held while paused. */
  private held: LogEntry[] = [];
  readonly states = new Map<string, MachineStreamState>();
  paused = false;
  droppedOldest = 0;
  private seq = 0;

  constructor(
    private readonly machineIds: readonly string[],
    private readonly cap: number,
  ) {}

  get buffered(): number {
    return this.held.length + (this.paused ? this.incoming.length : 0);
  }

  /** Takes one frame from the server; returns whether machine states changed. */
  ingest(frame: LogFrame): boolean {
    const { machine, time, text, markers } = frame;
    let k = 0;
    for (let i = 0; i <= text.length; i++) {
      while (k < markers.length && (markers[k] as { at: number }).at === i) {
        const mk = markers[k++] as LogFrame["markers"][number];
        const machineId = mk.machine === undefined ? undefined : this.machineIds[mk.machine];
        this.incoming.push({
          type: "marker",
          seq: ++this.seq,
          ...(machineId ? { machineId } : {}),
          time: mk.time,
          kind: mk.kind,
          text: mk.text,
        });
      }
      if (i === text.length) break;
      this.incoming.push({
        type: "line",
        seq: ++this.seq,
        machineId: this.machineIds[machine[i] as number] as string,
        time: time[i] as number,
        text: text[i] as string,
      });
    }
    for (const s of frame.states) this.states.set(s.machineId, s);
    return frame.states.length > 0;
  }

  /** Adds a note of this browser's own (e.g. the connection to Minos was lost). */
  note(kind: "gap" | "status", text: string, machineId?: string): void {
    this.incoming.push({
      type: "marker",
      seq: ++this.seq,
      ...(machineId ? { machineId } : {}),
      time: Date.now(),
      kind,
      text,
    });
  }

  setState(state: MachineStreamState): void {
    this.states.set(state.machineId, state);
  }

  /** Moves what arrived into `entries` (or the pause buffer); returns whether `entries` or the counts changed. */
  flush(): boolean {
    if (this.incoming.length === 0 && (this.paused || this.held.length === 0)) return false;
    if (this.paused) {
      for (const e of this.incoming) this.held.push(e);
      this.incoming = [];
      if (this.held.length > this.cap) {
        const excess = this.held.length - this.cap;
        this.held = this.held.slice(excess);
        this.droppedOldest += excess;
      }
      return true;
    }
    let batch = this.incoming;
    if (this.held.length > 0) {
      batch = this.held.concat(batch);
      this.held = [];
    }
    this.incoming = [];
    batch.sort(byTime); // stable: equal times keep arrival order
    let next = mergeTail(this.entries, batch);
    if (next.length > this.cap) {
      const excess = next.length - this.cap;
      next = next.slice(excess);
      this.droppedOldest += excess;
    }
    this.entries = next;
    return true;
  }

  clear(): void {
    this.entries = [];
    this.incoming = [];
    this.held = [];
    this.droppedOldest = 0;
  }
}

const byTime = (a: LogEntry, b: LogEntry) => a.time - b.time;

/** `shown` and `batch` are each in time order; the result too, `shown`'s entries first on equal times. */
export function mergeTail(shown: readonly LogEntry[], batch: readonly LogEntry[]): LogEntry[] {
  if (batch.length === 0) return shown as LogEntry[];
  const first = (batch[0] as LogEntry).time;
  // Where the batch starts: after every shown entry at or before its first time (usually the end).
  let lo = 0;
  let hi = shown.length;
  if (hi === 0 || (shown[hi - 1] as LogEntry).time <= first) return shown.concat(batch);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((shown[mid] as LogEntry).time <= first) lo = mid + 1;
    else hi = mid;
  }
  const out = shown.slice(0, lo);
  let i = lo;
  let j = 0;
  while (i < shown.length && j < batch.length) {
    const a = shown[i] as LogEntry;
    const b = batch[j] as LogEntry;
    if (a.time <= b.time) {
      out.push(a);
      i++;
    } else {
      out.push(b);
      j++;
    }
  }
  while (i < shown.length) out.push(shown[i++] as LogEntry);
  while (j < batch.length) out.push(batch[j++] as LogEntry);
  return out;
}
