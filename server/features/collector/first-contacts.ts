// Paces first contacts with machines (when the collector starts, or takes clusters over): each machine's
// first stream open and full read waits a jittered moment, then for one of a bounded number of slots and,
// when its stream will replay the machine's whole event history, for the writer's event backlog to shrink.
// So 10,000 machines arrive steadily instead of at once, and the machines already contacted keep their
// changes flowing instead of waiting behind everyone else's first reads.
import pLimit, { type LimitFunction } from "p-limit";
import { sleep } from "../../platform/pacing";

export interface FirstContactOptions {
  /** First contacts in progress at once, across all clusters. */
  concurrency: number;
  /** Each machine waits a random moment up to this long before queueing, so clusters do not arrive in step. */
  spreadMs: number;
  /** Events waiting to be written; first contacts that replay history wait while it is above `maxBacklog`. */
  backlog: () => number;
  maxBacklog: number;
}

export class FirstContacts {
  private readonly slots: LimitFunction;
  private completed = 0;

  constructor(private readonly o: FirstContactOptions) {
    this.slots = pLimit(o.concurrency);
  }

  /**
   * Runs a machine's first contact when its turn comes; resolves undefined without running it when the signal
   * aborts first (the machine was stopped while it waited).
   */
  async run<T>(
    task: () => Promise<T>,
    opts: { signal: AbortSignal; replaysHistory: boolean },
  ): Promise<T | undefined> {
    const { signal } = opts;
    await sleep(Math.random() * this.o.spreadMs, signal);
    if (signal.aborted) return undefined;
    return this.slots(async () => {
      while (opts.replaysHistory && !signal.aborted && this.o.backlog() > this.o.maxBacklog) {
        await sleep(100, signal);
      }
      if (signal.aborted) return undefined;
      try {
        return await task();
      } finally {
        this.completed++;
      }
    });
  }

  /** For benchmarks and logs: first contacts waiting for a slot, in progress, and done. */
  stats(): { waiting: number; active: number; completed: number } {
    return { waiting: this.slots.pendingCount, active: this.slots.activeCount, completed: this.completed };
  }
}
