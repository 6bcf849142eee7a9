// What one instance knows about its lease on one rollout: until when it can prove it holds it. The lease
// row says `lease_expires_at = t + leaseMs` for a renewal sent at t (this instance's clock); another
// instance may take it over once its own clock passes that. So this instance counts the lease as held
// only until `leaseMs − margin` after it *sent* the renewal (measured on the monotonic clock, so a long
// pause counts in full), and not at all once a renewal failed. Everything it does for the rollout runs
// under `signal`, aborted the moment the lease cannot be proven; `check()` is the synchronous test run
// just before a request leaves (the Talos client's `guard`), which no timer delay can outrun.
import { performance } from "node:perf_hooks";

export class LeaseLostError extends Error {
  constructor(rolloutId: string, reason: string) {
    super(`no longer holds the lease of rollout ${rolloutId}: ${reason}`);
    this.name = "LeaseLostError";
  }
}

export class RolloutLease {
  private readonly controller = new AbortController();
  private heldUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private lostReason: string | undefined;

  constructor(
    readonly rolloutId: string,
    /** The share of the lease this instance relies on; the rest absorbs clock skew between instances. */
    private readonly marginMs: number,
    private readonly onLost: (reason: string) => void,
  ) {}

  /** Aborted when the lease is lost (renewal refused or failed, or not renewed in time). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  /** The database accepted a renewal for `leaseMs` that left at `sentAt` (performance.now()). */
  renewed(sentAt: number, leaseMs: number): void {
    if (this.lost) return;
    this.heldUntil = Math.max(this.heldUntil, sentAt + leaseMs - this.marginMs);
    clearTimeout(this.timer);
    const left = this.heldUntil - performance.now();
    if (left <= 0) {
      this.lose("its renewal came back too late");
      return;
    }
    this.timer = setTimeout(() => this.lose("it was not renewed in time"), left);
    this.timer.unref();
  }

  /** Whether the lease is provably held right now. */
  held(): boolean {
    if (this.lost) return false;
    if (performance.now() < this.heldUntil) return true;
    this.lose("it was not renewed in time");
    return false;
  }

  /** Throws LeaseLostError unless the lease is provably held right now. */
  check(): void {
    if (!this.held()) throw new LeaseLostError(this.rolloutId, this.lostReason ?? "lost");
  }

  /** Ends the lease quietly (the instance stops, the rollout finished): aborts what runs under it. */
  end(): void {
    if (this.lost) return;
    this.lostReason = "ended";
    clearTimeout(this.timer);
    this.controller.abort(new LeaseLostError(this.rolloutId, "ended"));
  }

  /** Gives the lease up: aborts everything running under it. Idempotent. */
  lose(reason: string): void {
    if (this.lost) return;
    this.lostReason = reason;
    clearTimeout(this.timer);
    this.controller.abort(new LeaseLostError(this.rolloutId, reason));
    this.onLost(reason);
  }
}
