// Structured difference of two normalised configurations, field by field.
import type { ConfigDocument } from "./config-documents";
import { flattenDocuments } from "./normalise";

export interface ConfigChange {
  /** Field id, `<document>:<path>`. */
  field: string;
  change: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What changed from `before` to `after` (both normalised), sorted by field id. */
export function diffConfigs(
  before: readonly ConfigDocument[],
  after: readonly ConfigDocument[],
): ConfigChange[] {
  const a = flattenDocuments(before);
  const b = flattenDocuments(after);
  const changes: ConfigChange[] = [];
  for (const [field, f] of a) {
    const g = b.get(field);
    if (!g) changes.push({ field, change: "removed", before: f.value });
    else if (!sameValue(f.value, g.value))
      changes.push({ field, change: "changed", before: f.value, after: g.value });
  }
  for (const [field, g] of b) if (!a.has(field)) changes.push({ field, change: "added", after: g.value });
  return changes.sort((x, y) => (x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
}
