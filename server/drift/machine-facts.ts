// What the drift engine knows about a machine besides its running state: where it sits and its labels,
// and in-memory matching of label selectors (same semantics as server/inventory/selector.ts).
import type { Selector } from "../inventory/selector";

export interface MachineFacts {
  id: string;
  hostname: string;
  cluster: string;
  /** Effective site ("" when not placed). */
  site: string;
  role: "controlplane" | "worker";
  /** Effective labels. */
  labels: Record<string, string>;
  talosVersion?: string;
  kubernetesVersion?: string;
  health?: string;
  stage?: string;
}

function fieldValue(m: MachineFacts, key: string): string | undefined {
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
      return m.talosVersion;
    case "kubernetes":
      return m.kubernetesVersion;
    case "stage":
      return m.stage;
    default:
      return m.labels[key];
  }
}

const valueMatches = (actual: string, pattern: string) =>
  pattern.endsWith("*") ? actual.startsWith(pattern.slice(0, -1)) : actual === pattern;

export function selectorMatches(selector: Selector, m: MachineFacts): boolean {
  return selector.every((term) => {
    const v = fieldValue(m, term.key);
    if (term.kind === "exists") return (v !== undefined && v !== "") !== term.negated;
    const hit = v !== undefined && term.values.some((p) => valueMatches(v, p));
    return hit !== term.negated;
  });
}

/** `eu/dk` covers `eu/dk` and `eu/dk/aarhus-0042`, not `eu/dkx`. */
export function siteCovers(prefix: string, site: string): boolean {
  return site === prefix || site.startsWith(`${prefix}/`);
}
