// The baseline editor's form state and the spec it sends (empty fields declare nothing).
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
  talosVersion: string;
  kubernetesVersion: string;
  installerImage: string;
  schematicId: string;
  extensions: string;
  kernelArgs: string;
  labels: string;
  patches: PatchRow[];
}

export const EMPTY_FORM: BaselineForm = {
  name: "",
  description: "",
  level: "fleet",
  target: "",
  talosVersion: "",
  kubernetesVersion: "",
  installerImage: "",
  schematicId: "",
  extensions: "",
  kernelArgs: "",
  labels: "",
  patches: [],
};

const words = (s: string, sep: RegExp) =>
  s
    .split(sep)
    .map((w) => w.trim())
    .filter(Boolean);

export function toInput(f: BaselineForm) {
  const attach =
    f.level === "fleet"
      ? { level: "fleet" }
      : f.level === "site"
        ? { level: "site", site: f.target.trim() }
        : f.level === "cluster"
          ? { level: "cluster", cluster: f.target.trim() }
          : { level: "selector", selector: f.target.trim() };
  const spec: Record<string, unknown> = { attach };
  if (f.talosVersion.trim()) spec.talosVersion = f.talosVersion.trim();
  if (f.kubernetesVersion.trim()) spec.kubernetesVersion = f.kubernetesVersion.trim();
  if (f.installerImage.trim()) spec.installerImage = f.installerImage.trim();
  if (f.schematicId.trim()) spec.schematicId = f.schematicId.trim();
  if (f.extensions.trim()) spec.extensions = words(f.extensions, /[,\s]+/);
  if (f.kernelArgs.trim()) spec.kernelArgs = words(f.kernelArgs, /\s+/);
  if (f.labels.trim()) {
    spec.labels = Object.fromEntries(
      words(f.labels, /,/).map((kv) => {
        const [k = "", ...v] = kv.split("=");
        return [k.trim(), v.join("=").trim()];
      }),
    );
  }
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
  const s = b.spec as {
    attach: { level: BaselineForm["level"]; site?: string; cluster?: string; selector?: string };
    talosVersion?: string;
    kubernetesVersion?: string;
    installerImage?: string;
    schematicId?: string;
    extensions?: string[];
    kernelArgs?: string[];
    labels?: Record<string, string>;
    configPatches?: PatchRow[];
  };
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    level: s.attach.level,
    target: s.attach.site ?? s.attach.cluster ?? s.attach.selector ?? "",
    talosVersion: s.talosVersion ?? "",
    kubernetesVersion: s.kubernetesVersion ?? "",
    installerImage: s.installerImage ?? "",
    schematicId: s.schematicId ?? "",
    extensions: (s.extensions ?? []).join(", "),
    kernelArgs: (s.kernelArgs ?? []).join(" "),
    labels: Object.entries(s.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(", "),
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
