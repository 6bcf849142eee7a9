// Drift history: comparing a machine's previous drift items with the new ones gives what appeared, changed and
// cleared, and keeps each item's "since" (when it first appeared) across changes.
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
): { items: TrackedDriftItem[]; events: DriftEvent[] } {
  const before = new Map(previous.map((p) => [p.field, p]));
  const events: DriftEvent[] = [];
  const items: TrackedDriftItem[] = [];
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
    if (!p) {
      items.push({ ...item, since: now });
      event(item, "appeared");
      continue;
    }
    const changed =
      !same(p.declared, item.declared) ||
      !same(p.actual, item.actual) ||
      p.state !== item.state ||
      p.baseline.id !== item.baseline.id;
    items.push({ ...item, since: p.since });
    if (changed) event(item, "changed");
  }
  for (const gone of before.values()) event(gone, "cleared");
  return { items, events };
}
