// Where the collector hands drift readings: stores changed readings and recomputes the drift of those machines
// in batches (after the collector's own state writes, so versions read from the machine rows are current).
// One loop does the database work, a few readings at a time; readings waiting for it are kept per machine (a
// newer one replaces an older), so a fleet's first readings arriving at once take one entry per machine,
// not a growing chain of promises each holding its reading.
import type { Logger } from "pino";
import type { PrismaClient } from "../../platform/db/client";
import type { DriftReading } from "./read-drift-state";
import { recomputeDrift } from "./recompute-drift";
import { recordDriftState } from "./record-drift-state";

/** On stop, readings not stored within this long are dropped: the next drift round reads them again. */
const STOP_GRACE_MS = 5_000;

/** Readings stored at once (each takes a few statements; a fleet's first readings arrive together). */
const STORING_AT_ONCE = 4;

/** A reading not stored yet; `versionChanged` survives its replacement by a newer one. */
interface Waiting {
  reading: DriftReading;
  versionChanged: boolean;
}

export class DriftSink {
  /** Readings not stored yet, the newest per machine, in arrival order. */
  private readonly waiting = new Map<string, Waiting>();
  /** Machines whose drift is recomputed once the timer fires. */
  private readonly pending = new Set<string>();
  private readonly versions = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private recomputeDue = false;
  private working: Promise<void> | undefined;
  private stopped = false;
  private dropBefore = Number.POSITIVE_INFINITY;

  constructor(
    private readonly db: PrismaClient,
    private readonly log: Logger,
    /** Wait this long after a change before recomputing (longer than the collector's write interval). */
    private readonly delayMs = 2_000,
  ) {}

  /** A reading of one machine, with its versions as the collector just saw them. */
  record(machineId: string, reading: DriftReading, versions: string): void {
    if (this.stopped) return;
    const versionChanged = this.versions.get(machineId) !== versions;
    this.versions.set(machineId, versions);
    const earlier = this.waiting.get(machineId);
    // Re-inserted at the end: a machine read again waits its turn like the others.
    this.waiting.delete(machineId);
    this.waiting.set(machineId, {
      reading,
      versionChanged: versionChanged || earlier?.versionChanged === true,
    });
    this.work();
  }

  /** Readings received and not stored yet. */
  get backlog(): number {
    return this.waiting.size;
  }

  private work(): void {
    this.working ??= this.drain().finally(() => {
      this.working = undefined;
      if (this.waiting.size || this.recomputeDue) this.work();
    });
  }

  /** Stores waiting readings in arrival order; recomputes whenever a recomputation is due, between batches. */
  private async drain(): Promise<void> {
    while (this.waiting.size || this.recomputeDue) {
      if (this.recomputeDue) {
        this.recomputeDue = false;
        const ids = [...this.pending];
        this.pending.clear();
        await recomputeDrift({ db: this.db, machineIds: ids }).catch((err: unknown) =>
          this.log.warn({ err }, "drift: recomputation failed"),
        );
        continue;
      }
      if (Date.now() > this.dropBefore) {
        this.log.warn({ readings: this.waiting.size }, "drift: readings not stored before stopping");
        this.waiting.clear();
        return;
      }
      const batch: Array<[string, Waiting]> = [];
      for (const entry of this.waiting) {
        batch.push(entry);
        if (batch.length === STORING_AT_ONCE) break;
      }
      for (const [machineId] of batch) this.waiting.delete(machineId);
      await Promise.all(
        batch.map(async ([machineId, { reading, versionChanged }]) => {
          try {
            const changed = await recordDriftState(this.db, machineId, reading);
            if (changed || versionChanged) this.schedule(machineId);
          } catch (err) {
            this.log.warn({ err, machineId }, "drift: could not store a reading");
          }
        }),
      );
    }
  }

  private schedule(machineId: string): void {
    this.pending.add(machineId);
    if (this.stopped) {
      this.recomputeDue = true; // stopping: recompute before the loop ends, not after a delay
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recomputeDue = true;
      this.work();
    }, this.delayMs);
  }

  /** Stores what is waiting (for at most a few seconds) and recomputes what changed, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.dropBefore = Date.now() + STOP_GRACE_MS;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size) this.recomputeDue = true;
    this.work();
    while (this.working) await this.working;
  }
}
