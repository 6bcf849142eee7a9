// One viewer's stream of fleet changes: a tick when the fleet's machines, clusters, health history or
// rollout locks changed, at most one per `intervalMs`. The first change after a quiet spell is sent at
// once; changes arriving within the interval after a tick are gathered into the next one. A tick names
// tables only, never rows, so it shows nothing outside the viewer's scope; the page refetches what it
// shows. Ends (and unsubscribes) when the signal aborts: the browser tab closed.

import type { FleetChanges } from "../../platform/fleet-changes";
import { sleep } from "../../platform/pacing";

export interface FleetChangesTick {
  /** The tables that changed since the previous tick, sorted. */
  tables: string[];
}

/** At most one tick a second per viewer. */
export const FLEET_CHANGES_INTERVAL_MS = 1_000;

export async function* followFleetChanges({
  changes,
  signal,
  intervalMs = FLEET_CHANGES_INTERVAL_MS,
}: {
  changes: FleetChanges;
  signal: AbortSignal;
  intervalMs?: number;
}): AsyncGenerator<FleetChangesTick> {
  const pending = new Set<string>();
  let wake: (() => void) | undefined;
  const unsubscribe = changes.subscribe((table) => {
    pending.add(table);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  let lastTick = Number.NEGATIVE_INFINITY;
  try {
    while (!signal.aborted) {
      if (pending.size === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const wait = lastTick + intervalMs - performance.now();
      if (wait > 0) {
        await sleep(wait, signal);
        if (signal.aborted) break;
      }
      const tables = [...pending].sort();
      pending.clear();
      lastTick = performance.now();
      yield { tables };
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}
