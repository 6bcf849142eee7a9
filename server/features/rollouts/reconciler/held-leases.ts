// The rollout leases one reconciler instance holds: taken when free or expired, renewed on their own
// beat, lost at once when a renewal is refused or fails (rollout-lease.ts), and ended when the rollout
// finishes or the instance stops.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { PrismaClient } from "../../../platform/db/client";
import { RolloutLease } from "../rollout-lease";

/** Rollouts an instance leases: the active ones, and pending ones (to announce that they await approval). */
export const LEASED = ["pending", "running", "paused", "aborting"] as const;

/** A write's condition that this instance holds the rollout's lease, according to the database. */
export type Holding = { leaseOwner: string; leaseExpiresAt: { gt: Date } };

export class HeldLeases {
  /** Rollout id → this instance's lease on it, while it can prove it holds it. */
  private readonly leases = new Map<string, RolloutLease>();
  private renewing = false;
  private ended = false;

  constructor(private readonly o: { db: PrismaClient; log: Logger; instanceId: string; leaseMs: number }) {}

  /** The rollouts this instance can prove it holds the lease of now. */
  held(): string[] {
    return [...this.leases.values()].filter((l) => l.held()).map((l) => l.rolloutId);
  }

  holding(): Holding {
    return { leaseOwner: this.o.instanceId, leaseExpiresAt: { gt: new Date() } };
  }

  /** Ends the leases of rollouts no longer leased (finished or deleted): nothing runs under them any more. */
  keepOnly(listed: Set<string>): void {
    for (const [id, lease] of this.leases) {
      if (!listed.has(id)) {
        lease.end();
        this.leases.delete(id);
      }
    }
  }

  /** Ends every lease (the instance stops); what ran under them is aborted through their signals. */
  endAll(opts: { forGood?: boolean } = {}): void {
    if (opts.forGood) this.ended = true;
    for (const l of this.leases.values()) l.end();
    this.leases.clear();
  }

  /** Renews every lease this instance holds (the heartbeat between passes). */
  async renewHeld(): Promise<void> {
    if (this.renewing || this.ended) return;
    this.renewing = true;
    try {
      for (const lease of [...this.leases.values()]) {
        if (!lease.lost) await this.renew(lease.rolloutId, false);
      }
    } catch (err) {
      this.o.log.warn({ err }, "renewing rollout leases failed");
    } finally {
      this.renewing = false;
    }
  }

  /**
   * Renews this instance's lease on a rollout, or (`takeOver`) takes it when it is free or expired.
   * Returns the lease when it is provably held afterwards; a refused or failed renewal loses it.
   */
  async renew(id: string, takeOver: boolean): Promise<RolloutLease | undefined> {
    const sentAt = performance.now();
    const now = new Date();
    const me = this.o.instanceId;
    let renewed: number;
    try {
      ({ count: renewed } = await this.o.db.rollout.updateMany({
        where: takeOver
          ? {
              id,
              status: { in: [...LEASED] },
              OR: [{ leaseOwner: null }, { leaseOwner: me }, { leaseExpiresAt: { lt: now } }],
            }
          : { id, leaseOwner: me },
        data: { leaseOwner: me, leaseExpiresAt: new Date(now.getTime() + this.o.leaseMs) },
      }));
    } catch (err) {
      this.leases.get(id)?.lose(`renewing it failed (${err instanceof Error ? err.message : String(err)})`);
      throw err;
    }
    if (renewed === 0) {
      this.leases.get(id)?.lose("another instance holds it");
      return undefined;
    }
    const lease = takeOver ? this.leaseOf(id) : this.leases.get(id);
    if (!lease || lease.lost) return undefined;
    lease.renewed(sentAt, this.o.leaseMs);
    return lease.held() ? lease : undefined;
  }

  /** Gives up every lease this instance holds in the database, for another instance to take at once. */
  async release(): Promise<void> {
    await this.o.db.rollout.updateMany({
      where: { leaseOwner: this.o.instanceId },
      data: { leaseOwner: null, leaseExpiresAt: null },
    });
  }

  /** This instance's lease on a rollout, a fresh one after a loss (what ran under the old one stays stopped). */
  private leaseOf(id: string): RolloutLease {
    const current = this.leases.get(id);
    if (current && !current.lost) return current;
    const lease = new RolloutLease(id, this.o.leaseMs / 5, (reason) => {
      if (this.leases.get(id) === lease) this.leases.delete(id);
      if (this.ended) return;
      this.o.log.warn(
        { rollout: id, reason, instance: this.o.instanceId },
        "rollout lease lost: this instance stopped acting on the rollout",
      );
    });
    this.leases.set(id, lease);
    return lease;
  }
}
