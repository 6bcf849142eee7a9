// Label selectors evaluated in memory, with the same meaning as `selectorWhere` in the database:
// for choosing among machines already loaded (a rollout's waves).
import { FIELD_KEYS, type Selector } from "./selector";

export interface SelectableMachine {
  /** Effective site (own override, else the cluster's). */
  site: string;
  role: "controlplane" | "worker";
  cluster: string;
  health: string;
  version: string;
  kubernetes: string;
  stage: string;
  /** Effective labels: the cluster's merged with the machine's own. */
  labels: Record<string, string>;
}

function matchesValue(actual: string | undefined, pattern: string): boolean {
  if (actual === undefined) return false;
  return pattern.endsWith("*") ? actual.startsWith(pattern.slice(0, -1)) : actual === pattern;
}

function fieldValue(m: SelectableMachine, key: string): string {
  switch (key) {
    case "site":
      return m.site;
    case "role":
      return m.role;
    case "cluster":
      return m.cluster;
    case "health":
      return m.health;
    case "version":
      return m.version;
    case "kubernetes":
      return m.kubernetes;
    default:
      return m.stage;
  }
}

/** True when the machine satisfies every term of the selector (an empty selector matches all). */
export function selectorMatches(selector: Selector, m: SelectableMachine): boolean {
  for (const t of selector) {
    if (t.kind === "exists") {
      const has = Object.hasOwn(m.labels, t.key);
      if (has === t.negated) return false;
      continue;
    }
    const isField = (FIELD_KEYS as readonly string[]).includes(t.key);
    const actual = isField
      ? fieldValue(m, t.key)
      : Object.hasOwn(m.labels, t.key)
        ? m.labels[t.key]
        : undefined;
    const values =
      t.key === "role" ? t.values.map((v) => (v === "control-plane" ? "controlplane" : v)) : t.values;
    const any = values.some((v) => matchesValue(actual, v));
    if (any === t.negated) return false;
  }
  return true;
}
