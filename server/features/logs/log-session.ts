// One subscriber's buffer between the node streams and its connection: lines, markers and state
// changes wait here until the connection takes the next frame. Bounded by lines and characters: when
// the connection cannot keep up, new lines are dropped and counted, and the next frame says how many.

import type { FrameMarker, LogFrame } from "../../model/log-frame";
import type { MachineStreamState, StreamStatus } from "../../model/log-lines";
import { RecentLines } from "./resume-id";

export interface SessionLimits {
  /** Lines held for the connection at most. */
  maxLines: number;
  /** UTF-16 code units of text held at most. */
  maxChars: number;
  /** Frames are sent at most this often (ms)… */
  frameMs: number;
  /** …unless this many lines are waiting. */
  frameLines: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxLines: 20_000,
  maxChars: 4 * 1024 * 1024,
  frameMs: 25,
  frameLines: 4_000,
};

export class LogSession {
  private machine: number[] = [];
  private time: number[] = [];
  private text: string[] = [];
  private markers: FrameMarker[] = [];
  private chars = 0;
  private readonly dropped: number[];
  /** Time of each machine's last line, so its markers sort right after it. */
  private readonly lastTime: (number | undefined)[];
  private readonly changed = new Map<number, MachineStreamState>();
  private readonly current: MachineStreamState[];
  /** What each machine's last delivered lines were (for the resume id). */
  private readonly recent: RecentLines[];
  private wake: (() => void) | undefined;
  /** Lines dropped over the session's life, for the log and tests. */
  droppedTotal = 0;

  constructor(
    private readonly machineIds: readonly string[],
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {
    this.dropped = machineIds.map(() => 0);
    this.lastTime = machineIds.map(() => undefined);
    this.recent = machineIds.map(() => new RecentLines());
    this.current = machineIds.map((machineId) => ({
      machineId,
      status: "connecting",
      message: "connecting…",
    }));
    // The first frame says where every machine stands, even before its stream opens.
    this.current.forEach((state, m) => {
      this.changed.set(m, state);
    });
  }

  get pendingLines(): number {
    return this.text.length;
  }

  pushLine(machine: number, time: number, text: string): void {
    if (this.text.length >= this.limits.maxLines || this.chars + text.length > this.limits.maxChars) {
      this.dropped[machine] = (this.dropped[machine] ?? 0) + 1;
      this.droppedTotal++;
      return;
    }
    this.lastTime[machine] = time;
    this.machine.push(machine);
    this.time.push(time);
    this.text.push(text);
    this.chars += text.length;
    if (this.text.length === 1 || this.text.length >= this.limits.frameLines) this.notify();
  }

  pushMarker(
    machine: number | undefined,
    kind: FrameMarker["kind"],
    text: string,
    time = (machine === undefined ? undefined : this.lastTime[machine]) ?? Date.now(),
  ): void {
    this.markers.push({
      at: this.text.length,
      ...(machine === undefined ? {} : { machine }),
      kind,
      time,
      text,
    });
    this.notify();
  }

  setState(machine: number, status: StreamStatus, message: string): void {
    const prev = this.current[machine];
    if (prev && prev.status === status && prev.message === message) return;
    const state = { machineId: this.machineIds[machine] as string, status, message };
    this.current[machine] = state;
    this.changed.set(machine, state);
    this.notify();
  }

  state(machine: number): MachineStreamState | undefined {
    return this.current[machine];
  }

  /** Every machine ended or failed: nothing more will come. */
  get finished(): boolean {
    return this.current.every((s) => s.status === "ended" || s.status === "failed");
  }

  private get empty(): boolean {
    return this.text.length === 0 && this.markers.length === 0 && this.changed.size === 0;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Waits for something to send, lets a frame's worth gather, and takes it; undefined once aborted or finished. */
  async next(signal: AbortSignal): Promise<LogFrame | undefined> {
    while (this.empty) {
      if (signal.aborted || this.finished) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        const onAbort = () => resolve();
        signal.addEventListener("abort", onAbort, { once: true });
        const w = this.wake;
        this.wake = () => {
          signal.removeEventListener("abort", onAbort);
          w();
        };
      });
    }
    if (signal.aborted) return undefined;
    if (this.text.length < this.limits.frameLines) await sleep(this.limits.frameMs, signal);
    return this.take();
  }

  private take(): LogFrame {
    for (let m = 0; m < this.dropped.length; m++) {
      const n = this.dropped[m] ?? 0;
      if (n === 0) continue;
      this.pushMarker(
        m,
        "gap",
        `${n.toLocaleString("en-US")} line${n === 1 ? "" : "s"} dropped here: the connection to the browser could not keep up`,
      );
      this.dropped[m] = 0;
    }
    const frame: LogFrame = {
      machine: this.machine,
      time: this.time,
      text: this.text,
      markers: this.markers,
      states: [...this.changed.values()],
    };
    this.rememberLast(frame);
    this.machine = [];
    this.time = [];
    this.text = [];
    this.markers = [];
    this.chars = 0;
    this.changed.clear();
    return frame;
  }

  /** Feeds each machine's last few lines of the frame to its RecentLines (only those can matter). */
  private rememberLast(frame: LogFrame): void {
    const tails = new Map<number, string[]>();
    for (let i = frame.text.length - 1; i >= 0; i--) {
      const m = frame.machine[i] as number;
      let t = tails.get(m);
      if (!t) {
        t = [];
        tails.set(m, t);
      }
      if (t.length < 3) t.push(frame.text[i] as string);
      if (tails.size === this.recent.length && [...tails.values()].every((x) => x.length === 3)) break;
    }
    for (const [m, t] of tails) for (let j = t.length - 1; j >= 0; j--) this.recent[m]?.push(t[j] as string);
  }

  /** Anchors of what has been taken so far, by machine. */
  anchors(): string[] {
    return this.recent.map((r) => r.anchor());
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
