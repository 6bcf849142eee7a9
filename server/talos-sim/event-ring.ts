// A node's in-memory event history (ring of 1000, as machined keeps) with live subscribers and Talos's tail options.
import type { SimEvent } from "./wire";

export const RING_CAPACITY = 1000;
/** machined keeps a gap so a slow reader is not overrun: about 990 past events can be replayed. */
export const RING_REPLAYABLE = RING_CAPACITY - 10;

export interface TailOptions {
  tailEvents: number;
  tailId: string;
  tailSeconds: number;
}

export class EventRing {
  private events: SimEvent[] = [];
  private subscribers: Set<(e: SimEvent) => void> | null = null;

  get size(): number {
    return this.events.length;
  }

  push(event: SimEvent): void {
    this.events.push(event);
    if (this.events.length > RING_CAPACITY) this.events.splice(0, this.events.length - RING_CAPACITY);
    if (this.subscribers) for (const s of this.subscribers) s(event);
  }

  /** Empties the ring, as a reboot does. Subscribers stay (their streams are closed by the node going down). */
  clear(): void {
    this.events = [];
  }

  /** The past events a new Events stream replays for these options. */
  history(opts: TailOptions, nowMs: number = Date.now()): SimEvent[] {
    const replayable = this.events.slice(-RING_REPLAYABLE);
    if (opts.tailId) {
      const at = replayable.findIndex((e) => e.id === opts.tailId);
      if (at >= 0) return replayable.slice(at + 1);
      return replayable.filter((e) => e.id > opts.tailId);
    }
    if (opts.tailSeconds > 0) {
      const since = nowMs - opts.tailSeconds * 1000;
      return replayable.filter((e) => e.timeMs >= since);
    }
    if (opts.tailEvents < 0) return replayable;
    if (opts.tailEvents > 0) return replayable.slice(-opts.tailEvents);
    return [];
  }

  all(): readonly SimEvent[] {
    return this.events;
  }

  subscribe(fn: (e: SimEvent) => void): () => void {
    if (!this.subscribers) this.subscribers = new Set();
    this.subscribers.add(fn);
    return () => {
      this.subscribers?.delete(fn);
      if (this.subscribers?.size === 0) this.subscribers = null;
    };
  }
}
