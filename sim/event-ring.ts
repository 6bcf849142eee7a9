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

/**
 * History generated on demand instead of stored: the boot of a node nobody has looked at yet costs no memory.
 * `make` must return the same events (same ids) every time.
 */
export interface VirtualHistory {
  length: number;
  make(): SimEvent[];
}

export class EventRing {
  private events: SimEvent[] = [];
  private subscribers: Set<(e: SimEvent) => void> | null = null;
  private prefix: VirtualHistory | null;
  /** How many of the prefix's oldest events the ring has already overwritten. */
  private prefixDropped = 0;

  constructor(prefix: VirtualHistory | null = null) {
    this.prefix = prefix;
  }

  private get prefixLeft(): number {
    return this.prefix ? this.prefix.length - this.prefixDropped : 0;
  }

  get size(): number {
    return this.prefixLeft + this.events.length;
  }

  push(event: SimEvent): void {
    this.events.push(event);
    let overflow = this.size - RING_CAPACITY;
    if (overflow > 0 && this.prefixLeft > 0) {
      const fromPrefix = Math.min(overflow, this.prefixLeft);
      this.prefixDropped += fromPrefix;
      overflow -= fromPrefix;
    }
    if (overflow > 0) this.events.splice(0, overflow);
    if (this.subscribers) for (const s of this.subscribers) s(event);
  }

  /** Empties the ring, as a reboot does. Subscribers stay (their streams are closed by the node going down). */
  clear(): void {
    this.events = [];
    this.prefix = null;
    this.prefixDropped = 0;
  }

  private materialize(): SimEvent[] {
    if (!this.prefix || this.prefixLeft === 0) return this.events;
    return [...this.prefix.make().slice(this.prefixDropped), ...this.events];
  }

  /** The past events a new Events stream replays for these options. */
  history(opts: TailOptions, nowMs: number = Date.now()): SimEvent[] {
    const replayable = this.materialize().slice(-RING_REPLAYABLE);
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
    return this.materialize();
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
