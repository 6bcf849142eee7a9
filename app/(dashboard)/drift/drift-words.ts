// How drift fields and values read on the page.

const KIND_LABELS: Record<string, string> = {
  talosVersion: "Talos version",
  kubernetesVersion: "Kubernetes version",
  installerImage: "Installer image",
  schematicId: "Schematic id",
  schematic: "Schematic",
  extensions: "Extensions",
  kernelArg: "Kernel arguments",
  label: "Labels",
  config: "Configuration",
};

export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

/** `kernelArg:mitigations` → "kernel arg mitigations"; `config:v1alpha1:machine.x` → "machine.x". */
export function fieldLabel(field: string): string {
  if (field.startsWith("kernelArg:")) return `kernel arg ${field.slice(10)}`;
  if (field.startsWith("label:")) return `label ${field.slice(6)}`;
  if (field.startsWith("config:")) return field.slice(7).replace(/^v1alpha1:/, "");
  return KIND_LABELS[field] ?? field;
}

/** Schematic contents (server/features/drift/schematic.ts) in words: "extensions a, b; kernel args x". */
function schematicText(s: Record<string, unknown>): string {
  const parts: string[] = [];
  const list = (v: unknown) => (Array.isArray(v) ? v.join(", ") : "");
  if (s.extensions) parts.push(`extensions ${list(s.extensions)}`);
  if (s.extraKernelArgs) parts.push(`kernel args ${list(s.extraKernelArgs)}`);
  for (const k of ["meta", "secureboot", "overlay", "other"]) {
    if (s[k] !== undefined) parts.push(`${k} ${JSON.stringify(s[k])}`);
  }
  return parts.join("; ") || "empty (no customization)";
}

/** A declared or actual value as text; kernel-arg null declared means "must be absent". */
export function valueText(
  v: unknown,
  opts: { declaredKernelArg?: boolean; schematic?: boolean } = {},
): string {
  if (v === undefined) return opts.schematic ? "not an Image Factory image" : "—";
  if (v === null) return opts.declaredKernelArg ? "absent" : "—";
  if (opts.schematic && typeof v === "object" && !Array.isArray(v))
    return schematicText(v as Record<string, unknown>);
  if (Array.isArray(v)) return v.length ? v.join(", ") : "none";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
