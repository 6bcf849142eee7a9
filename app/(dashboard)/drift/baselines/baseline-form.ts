// The baseline editor's form state and the spec it sends (empty fields declare nothing). The expectation fields
// themselves are declared once, in expectation-fields.ts.
import {
  EMPTY_EXPECTATIONS,
  type ExpectationTexts,
  expectationsFromSpec,
  expectationsToSpec,
} from "./expectation-fields";

export interface PatchRow {
  role: "all" | "controlplane" | "worker";
  patch: string;
}

export interface BaselineForm {
  id?: string;
  name: string;
  description: string;
  level: "fleet" | "site" | "cluster" | "selector";
  target: string;
  /** The text of each expectation field, by spec field. */
  expectations: ExpectationTexts;
  patches: PatchRow[];
}

export const EMPTY_FORM: BaselineForm = {
  name: "",
  description: "",
  level: "fleet",
  target: "",
  expectations: EMPTY_EXPECTATIONS,
  patches: [],
};

export function toInput(f: BaselineForm) {
  const attach =
    f.level === "fleet"
      ? { level: "fleet" }
      : f.level === "site"
        ? { level: "site", site: f.target.trim() }
        : f.level === "cluster"
          ? { level: "cluster", cluster: f.target.trim() }
          : { level: "selector", selector: f.target.trim() };
  const spec: Record<string, unknown> = { attach, ...expectationsToSpec(f.expectations) };
  const patches = f.patches.filter((p) => p.patch.trim());
  if (patches.length) spec.configPatches = patches;
  return { ...(f.id ? { id: f.id } : {}), name: f.name.trim(), description: f.description, spec };
}

interface StoredBaseline {
  id: string;
  name: string;
  description: string;
  spec: unknown;
}

export function fromStored(b: StoredBaseline): BaselineForm {
  const s = b.spec as Record<string, unknown> & {
    attach: { level: BaselineForm["level"]; site?: string; cluster?: string; selector?: string };
    configPatches?: PatchRow[];
  };
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    level: s.attach.level,
    target: s.attach.site ?? s.attach.cluster ?? s.attach.selector ?? "",
    expectations: expectationsFromSpec(s),
    patches: s.configPatches ?? [],
  };
}

/** "site eu/dk", "cluster prod-fra-1", "selector role=worker", "the whole fleet". */
export function attachText(spec: unknown): string {
  const a = (spec as { attach: { level: string; site?: string; cluster?: string; selector?: string } })
    .attach;
  if (a.level === "fleet") return "the whole fleet";
  return `${a.level} ${a.site ?? a.cluster ?? a.selector ?? ""}`;
}
