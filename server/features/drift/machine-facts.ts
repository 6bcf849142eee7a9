// What the drift engine knows about a machine besides its running state: where it sits and its labels,
// and in-memory matching of label selectors (server/model/selector-match.ts).
import type { Selector } from "../../model/selector";
import { selectorMatches as matchSelector } from "../../model/selector-match";

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

/** In-memory selector matching, with the one meaning the machines list and rollouts use. */
export function selectorMatches(selector: Selector, m: MachineFacts): boolean {
  return matchSelector(selector, {
    site: m.site,
    role: m.role,
    cluster: m.cluster,
    health: m.health ?? "",
    version: m.talosVersion ?? "",
    kubernetes: m.kubernetesVersion ?? "",
    stage: m.stage ?? "",
    labels: m.labels,
  });
}

/** `eu/dk` covers `eu/dk` and `eu/dk/aarhus-0042`, not `eu/dkx`. */
export function siteCovers(prefix: string, site: string): boolean {
  return site === prefix || site.startsWith(`${prefix}/`);
}
