// Where the collector hands drift readings: stores changed readings and recomputes the drift of those machines
// in batches (after the collector's own state writes, so versions read from the machine rows are current).
import type { Logger } from "pino";
import type { PrismaClient } from "../db/client";
import type { DriftReading } from "./read-drift-state";
import { recomputeDrift } from "./recompute-drift";
import { recordDriftState } from "./record-drift-state";

export class DriftSink {
  private readonly pending = new Set<string>();
  private readonly versions = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

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
    this.running = this.running
      .then(async () => {
        const changed = await recordDriftState(this.db, machineId, reading);
        if (changed || versionChanged) this.schedule(machineId);
      })
      .catch((err: unknown) => this.log.warn({ err, machineId }, "drift: could not store a reading"));
  }

  private schedule(machineId: string): void {
    this.pending.add(machineId);
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const ids = [...this.pending];
      this.pending.clear();
      this.running = this.running
        .then(() => recomputeDrift({ db: this.db, machineIds: ids }))
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ err }, "drift: recomputation failed"));
    }, this.delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
