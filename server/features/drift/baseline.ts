// Baselines: what machines should run, attached at fleet, site, cluster or label-selector level. Validated with
// field-level errors (unknown versions, malformed patches, fields Talos does not have) and kept as YAML files.
import { stringify } from "yaml";
import { z } from "zod";
import { AppError } from "../../model/errors";
import { parseSelector } from "../../model/selector";
import { type FieldError, parseConfigText } from "./config-documents";
import { type ParsedPatch, parsePatch } from "./config-patch";
import { declaredSchematicSchema } from "./schematic";
import { checkKubernetesVersion, checkTalosVersion } from "./versions";

export const ATTACH_LEVELS = ["fleet", "site", "cluster", "selector"] as const;
export type AttachLevel = (typeof ATTACH_LEVELS)[number];

export const PATCH_ROLES = ["all", "controlplane", "worker"] as const;
export type PatchRole = (typeof PATCH_ROLES)[number];

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "use lower-case letters, digits and dashes (at most 63)");

export const baselineSpecSchema = z
  .object({
    attach: z.discriminatedUnion("level", [
      z.object({ level: z.literal("fleet") }).strict(),
      z
        .object({
          level: z.literal("site"),
          site: z
            .string()
            .regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i, "a site path like eu/dk"),
        })
        .strict(),
      z.object({ level: z.literal("cluster"), cluster: z.string().min(1) }).strict(),
      z.object({ level: z.literal("selector"), selector: z.string().min(1) }).strict(),
    ]),
    talosVersion: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    installerImage: z
      .string()
      .regex(
        /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$/,
        "an image reference like ghcr.io/siderolabs/installer:v1.13.9",
      )
      .optional(),
    schematicId: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "64 lower-case hex characters (an Image Factory schematic id)")
      .optional(),
    /** The Image Factory schematic the machines run (YAML text or an object), compared by its contents. */
    schematic: declaredSchematicSchema.optional(),
    extensions: z
      .array(z.string().regex(/^[a-z0-9/._-]+$/, "an extension name like siderolabs/iscsi-tools"))
      .optional(),
    kernelArgs: z
      .array(
        z
          .string()
          .regex(
            /^(-[^\s=-][^\s=]*|[^\s=-][^\s=]*(=\S*)?)$/,
            "k=v or k (must be present), or -k (must be absent, whatever its value; -k=v is not a form)",
          ),
      )
      .optional(),
    labels: z.record(z.string(), z.string()).optional(),
    configPatches: z
      .array(z.object({ role: z.enum(PATCH_ROLES).default("all"), patch: z.string().min(1) }).strict())
      .optional(),
  })
  .strict();

export type BaselineSpec = z.infer<typeof baselineSpecSchema>;

export interface Baseline {
  id: string;
  name: string;
  description?: string;
  spec: BaselineSpec;
}

/** A validated baseline with its patches parsed, ready for the engine. */
export interface CompiledBaseline extends Baseline {
  patches: Array<{ role: PatchRole; patch: ParsedPatch }>;
}

/** Validates a baseline: the schema, then versions, selector and patches; all errors at once, each with its field. */
export function compileBaseline(input: { id: string; name: string; description?: string; spec: unknown }): {
  baseline?: CompiledBaseline;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const n = name.safeParse(input.name);
  if (!n.success) errors.push({ field: "name", message: n.error.issues[0]?.message ?? "invalid name" });
  const parsed = baselineSpecSchema.safeParse(input.spec);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({ field: issue.path.join(".") || "spec", message: issue.message });
    }
    return { errors };
  }
  const spec = parsed.data;
  if (spec.talosVersion) {
    const e = checkTalosVersion(spec.talosVersion);
    if (e) errors.push({ field: "talosVersion", message: e });
  }
  if (spec.kubernetesVersion) {
    const e = checkKubernetesVersion(spec.kubernetesVersion, spec.talosVersion);
    if (e) errors.push({ field: "kubernetesVersion", message: e });
  }
  if (spec.attach.level === "selector") {
    try {
      parseSelector(spec.attach.selector);
    } catch (err) {
      errors.push({
        field: "attach.selector",
        message: err instanceof AppError ? err.userMessage : String(err),
      });
    }
  }
  const patches: CompiledBaseline["patches"] = [];
  spec.configPatches?.forEach((p, i) => {
    const r = parsePatch(p.patch, `configPatches[${i}].patch`);
    errors.push(...r.errors);
    if (r.patch) patches.push({ role: p.role, patch: r.patch });
  });
  if (errors.length > 0) return { errors };
  return {
    baseline: { id: input.id, name: input.name, description: input.description, spec, patches },
    errors,
  };
}

const FILE_API = "minos.dev/v1";

/** Baselines as a YAML file (one document per baseline), for keeping them in git. */
export function exportBaselines(baselines: readonly Baseline[]): string {
  return baselines
    .map((b) =>
      stringify({
        apiVersion: FILE_API,
        kind: "Baseline",
        metadata: { name: b.name, ...(b.description ? { description: b.description } : {}) },
        spec: b.spec,
      }),
    )
    .join("---\n");
}

/** Reads a baseline file; each error names the document (by position or name) and field. */
export function importBaselines(text: string): { baselines: CompiledBaseline[]; errors: FieldError[] } {
  const { documents, errors } = parseConfigText(text, { sameIdAllowed: true });
  if (errors.length > 0) return { baselines: [], errors };
  const baselines: CompiledBaseline[] = [];
  const out: FieldError[] = [];
  documents.forEach((d, i) => {
    const v = d.value as {
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: { name?: unknown; description?: unknown };
      spec?: unknown;
    };
    const label = typeof v.metadata?.name === "string" ? v.metadata.name : `document ${i + 1}`;
    if (v.apiVersion !== FILE_API || v.kind !== "Baseline") {
      out.push({ field: label, message: `expected apiVersion: ${FILE_API} and kind: Baseline` });
      return;
    }
    const r = compileBaseline({
      id: "",
      name: typeof v.metadata?.name === "string" ? v.metadata.name : "",
      description: typeof v.metadata?.description === "string" ? v.metadata.description : undefined,
      spec: v.spec,
    });
    out.push(...r.errors.map((e) => ({ ...e, field: `${label}: ${e.field}` })));
    if (r.baseline) baselines.push(r.baseline);
  });
  const names = new Set<string>();
  for (const b of baselines) {
    if (names.has(b.name)) out.push({ field: b.name, message: "two baselines with this name in the file" });
    names.add(b.name);
  }
  return { baselines: out.length ? [] : baselines, errors: out };
}
