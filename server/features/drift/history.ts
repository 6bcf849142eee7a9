// Drift history: comparing a machine's previous drift items with the new ones gives what appeared, changed and
// cleared, and keeps each item's "since" (when it first appeared) across changes. Only drift whose actual
// value is known is recorded: items still unknown (not read yet) make no history, so a machine's start-up
// does not read as drift appearing and clearing within a minute.
import type { DriftItem } from "./compute-drift";

export interface TrackedDriftItem extends DriftItem {
  since: Date;
}

export interface DriftEvent {
  field: string;
  change: "appeared" | "changed" | "cleared";
  declared: unknown;
  actual: unknown;
  state: DriftItem["state"];
  baselineName: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function trackDrift(
  previous: readonly TrackedDriftItem[],
  current: readonly DriftItem[],
  now: Date,
): { items: TrackedDriftItem[]; events: DriftEvent[]; changed: boolean } {
  const before = new Map(previous.map((p) => [p.field, p]));
  const events: DriftEvent[] = [];
  const items: TrackedDriftItem[] = [];
  /** The items differ from the previous ones (to be written), whether or not history records it. */
  let differs = false;
  const event = (i: DriftItem, change: DriftEvent["change"]) =>
    events.push({
      field: i.field,
      change,
      declared: i.declared,
      actual: i.actual,
      state: i.state,
      baselineName: i.baseline.name,
    });
  for (const item of current) {
    const p = before.get(item.field);
    before.delete(item.field);
    // History records drift once the actual value is known: an item whose actual value is not read yet
    // (state unknown: a machine just found, configuration not read) appears when it is known to drift.
    if (!p || (p.state === "unknown" && item.state === "drifted")) {
      differs = true;
      items.push({ ...item, since: now });
      if (item.state === "drifted") event(item, "appeared");
      continue;
    }
    const changed =
      !same(p.declared, item.declared) ||
      !same(p.actual, item.actual) ||
      p.state !== item.state ||
      p.baseline.id !== item.baseline.id;
    items.push({ ...item, since: p.since });
    if (changed) differs = true;
    // Drift that can no longer be read is not a change anyone can act on; it shows as unknown meanwhile.
    if (changed && item.state === "drifted") event(item, "changed");
  }
  for (const gone of before.values()) {
    differs = true;
    if (gone.state === "drifted") event(gone, "cleared");
  }
  return { items, events, changed: differs };
}
