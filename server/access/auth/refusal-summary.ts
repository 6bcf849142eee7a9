// Sign-ins refused by the per-address rate limit are counted, not written one by one: an address
// hammering the sign-in would otherwise fill the audit trail with rows of its own choosing (500
// attempts, 484 rows). Each address gets one entry per minute in which it was refused, with the count
// and the first few names it tried (cut short), written when the minute is over.

import type { PrismaClient } from "../../platform/db/client";
import { recordAudit } from "../audit/record-audit";

const WINDOW_MS = 60_000;
/** Names kept per address and minute, each cut to this length. */
const MAX_NAMES = 5;
const MAX_NAME_CHARS = 64;

interface Window {
  from: number;
  count: number;
  names: Set<string>;
}

export class RefusalSummary {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: () => PrismaClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one refused attempt of `username` from `address`. */
  add(address: string, username: string): void {
    const now = this.now();
    let w = this.windows.get(address);
    if (w && now - w.from >= WINDOW_MS) {
      void this.write(address, w);
      w = undefined;
    }
    if (!w) {
      w = { from: now, count: 0, names: new Set() };
      this.windows.set(address, w);
    }
    w.count++;
    if (w.names.size < MAX_NAMES) w.names.add(username.slice(0, MAX_NAME_CHARS));
    if (!this.timer) {
      this.timer = setInterval(() => void this.flush(), WINDOW_MS / 4);
      this.timer.unref();
    }
  }

  /** Writes every minute that is over (all of them with `all`, e.g. on stop or in tests). */
  async flush(all = false): Promise<void> {
    const now = this.now();
    const due = [...this.windows].filter(([, w]) => all || now - w.from >= WINDOW_MS);
    await Promise.all(due.map(([address, w]) => this.write(address, w)));
    if (this.windows.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async write(address: string, w: Window): Promise<void> {
    if (this.windows.get(address) === w) this.windows.delete(address);
    await recordAudit(this.db(), {
      actor: "anonymous",
      action: "auth.login",
      target: null,
      address,
      result: "denied",
      details: {
        reason: "too many attempts from this address",
        attempts: w.count,
        from: new Date(w.from).toISOString(),
        names: [...w.names],
      },
    }).catch(() => {});
  }
}
