// Which baseline declares each expectation of a machine. Order, least to most specific: fleet < site (shorter
// prefix first) < cluster < label selector (fewer terms first); between equals, the name first in alphabetical
// order wins. The most specific baseline wins per field; the ones it overrides are kept for the machine page.
import { parseSelector, type Selector } from "../../model/selector";
import type { AttachLevel, CompiledBaseline } from "./baseline";
import { argKey } from "./kernel-args";
import { type MachineFacts, selectorMatches, siteCovers } from "./machine-facts";
import { defaultValue } from "./normalise";
import { extensionName, schematicContents } from "./schematic";

export interface BaselineRef {
  id: string;
  name: string;
  level: AttachLevel;
}

/** The kinds of expectation a baseline declares; each drift item has one. */
export const EXPECTATION_KINDS = [
  "talosVersion",
  "kubernetesVersion",
  "installerImage",
  "schematicId",
  "schematic",
  "extensions",
  "kernelArg",
  "label",
  "config",
] as const;

export type ExpectationKind = (typeof EXPECTATION_KINDS)[number];

export interface Expectation {
  /** Unique per machine: `talosVersion`, `kernelArg:mitigations`, `label:tier`, `config:v1alpha1:machine.kubelet…`. */
  field: string;
  kind: ExpectationKind;
  /** What must hold; for kernelArg null means "must be absent"; for config the field's value. */
  declared: unknown;
  /** For config: the value Talos uses when the field is absent. */
  defaultValue?: unknown;
  baseline: BaselineRef;
  overridden: BaselineRef[];
}

const LEVEL_RANK: Record<AttachLevel, number> = { fleet: 0, site: 1, cluster: 2, selector: 3 };

interface Ranked {
  baseline: CompiledBaseline;
  rank: number;
  specificity: number;
  selector?: Selector;
}

/** Baselines in application order (later wins); selectors parsed once. */
export function rankBaselines(baselines: readonly CompiledBaseline[]): Ranked[] {
  return baselines
    .map((b) => {
      const a = b.spec.attach;
      const selector = a.level === "selector" ? parseSelector(a.selector) : undefined;
      const specificity = a.level === "site" ? a.site.split("/").length : selector ? selector.length : 0;
      return { baseline: b, rank: LEVEL_RANK[a.level], specificity, selector };
    })
    .sort(
      (x, y) =>
        x.rank - y.rank ||
        x.specificity - y.specificity ||
        (x.baseline.name < y.baseline.name ? 1 : x.baseline.name > y.baseline.name ? -1 : 0),
    );
}

function applies(r: Ranked, m: MachineFacts): boolean {
  const a = r.baseline.spec.attach;
  switch (a.level) {
    case "fleet":
      return true;
    case "site":
      return siteCovers(a.site, m.site);
    case "cluster":
      return a.cluster === m.cluster;
    case "selector":
      return r.selector ? selectorMatches(r.selector, m) : false;
  }
}

const ref = (b: CompiledBaseline): BaselineRef => ({ id: b.id, name: b.name, level: b.spec.attach.level });

/** The expectations of one machine, each with the baseline that declared it. */
export function resolveExpectations(ranked: readonly Ranked[], m: MachineFacts): Expectation[] {
  const out = new Map<string, Expectation>();
  const declare = (
    field: string,
    kind: ExpectationKind,
    declared: unknown,
    b: CompiledBaseline,
    extra = {},
  ) => {
    const prev = out.get(field);
    const overridden = prev ? [prev.baseline, ...prev.overridden] : [];
    out.set(field, { field, kind, declared, baseline: ref(b), overridden, ...extra });
  };
  for (const r of ranked) {
    if (!applies(r, m)) continue;
    const b = r.baseline;
    const s = b.spec;
    if (s.talosVersion) declare("talosVersion", "talosVersion", s.talosVersion, b);
    if (s.kubernetesVersion) declare("kubernetesVersion", "kubernetesVersion", s.kubernetesVersion, b);
    if (s.installerImage) declare("installerImage", "installerImage", s.installerImage, b);
    if (s.schematicId) declare("schematicId", "schematicId", s.schematicId, b);
    if (s.schematic) declare("schematic", "schematic", schematicContents(s.schematic), b);
    if (s.extensions)
      declare("extensions", "extensions", [...new Set(s.extensions.map(extensionName))].sort(), b);
    for (const arg of s.kernelArgs ?? []) {
      if (arg.startsWith("-")) declare(`kernelArg:${arg.slice(1)}`, "kernelArg", null, b);
      else declare(`kernelArg:${argKey(arg)}`, "kernelArg", arg, b);
    }
    for (const [k, v] of Object.entries(s.labels ?? {})) declare(`label:${k}`, "label", v, b);
    for (const p of b.patches) {
      if (p.role !== "all" && p.role !== m.role) continue;
      for (const [id, f] of p.patch.fields) {
        const kind = p.patch.documents.find((d) => d.id === f.document)?.kind ?? "v1alpha1";
        const dflt = defaultValue(kind, id.slice(f.document.length + 1));
        declare(`config:${id}`, "config", f.value, b, dflt === undefined ? {} : { defaultValue: dflt });
      }
    }
  }
  return [...out.values()];
}
