// Image Factory schematics: what a baseline may declare (the schematic as Image Factory takes it, checked with
// the same known fields) and the normalised contents both sides are compared as — extensions without the
// `siderolabs/` prefix and kernel arguments as sorted sets, META values by key, empty parts left out — so a
// schematic written in another order or with other indentation still holds.
import { parseDocument } from "yaml";
import { z } from "zod";

/** `siderolabs/iscsi-tools` and `iscsi-tools` are the same extension. */
export function extensionName(name: string): string {
  return name.replace(/^siderolabs\//, "");
}

const strings = (what: string) => z.array(z.string().regex(/^\S+$/, `${what}: one per item, without spaces`));

/** An object with known fields only, as Image Factory decodes schematics; an unknown one is named with the known. */
function fields<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === "unrecognized_keys"
        ? `unknown field ${iss.keys.map((k) => `"${k}"`).join(", ")} (known here: ${known})`
        : undefined,
  });
}

/** A schematic as Image Factory's `POST /schematics` takes it (unknown fields refused, as Image Factory does). */
export const schematicSchema = fields({
  overlay: fields({
    image: z.string().min(1, "the overlay image, e.g. siderolabs/sbc-raspberrypi"),
    name: z.string().min(1, "the overlay name, e.g. rpi_generic"),
    options: z.record(z.string(), z.unknown()).optional(),
  }).optional(),
  customization: fields({
    extraKernelArgs: strings("kernel arguments").optional(),
    meta: z
      .array(
        fields({
          key: z.number().int().min(0).max(255, "a META key is 0 to 255"),
          value: z.string(),
        }),
      )
      .optional(),
    systemExtensions: fields({
      officialExtensions: strings("extension names like siderolabs/iscsi-tools").optional(),
    }).optional(),
    secureboot: fields({ includeWellKnownCertificates: z.boolean().optional() }).optional(),
  }).default({}),
});

export type Schematic = z.output<typeof schematicSchema>;

/** A schematic's contents as compared; a part is absent when it is empty. */
export interface SchematicContents {
  extensions?: string[];
  extraKernelArgs?: string[];
  meta?: Array<{ key: number; value: string }>;
  secureboot?: { includeWellKnownCertificates: true };
  overlay?: { image: string; name: string; options?: Record<string, unknown> };
  /** Fields this version of Minos does not know (newer Image Factory), kept so they still compare. */
  other?: Record<string, unknown>;
}

const sortedSet = (v: unknown): string[] | undefined => {
  if (!Array.isArray(v)) return undefined;
  const out = [...new Set(v.filter((x): x is string => typeof x === "string"))].sort();
  return out.length ? out : undefined;
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Keys sorted at every level, so two equal values serialise the same. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isRecord(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical(v[k])]),
  );
}

const KNOWN_TOP = new Set(["overlay", "customization"]);
const KNOWN_CUSTOMIZATION = new Set(["extraKernelArgs", "meta", "systemExtensions", "secureboot"]);

/** Normalised contents of a schematic (declared and validated, or read from a machine and taken as it is). */
export function schematicContents(schematic: unknown): SchematicContents {
  const s = isRecord(schematic) ? schematic : {};
  const c = isRecord(s.customization) ? s.customization : {};
  const out: SchematicContents = {};
  const ext = isRecord(c.systemExtensions) ? sortedSet(c.systemExtensions.officialExtensions) : undefined;
  if (ext) out.extensions = [...new Set(ext.map(extensionName))].sort();
  const args = sortedSet(c.extraKernelArgs);
  if (args) out.extraKernelArgs = args;
  if (Array.isArray(c.meta) && c.meta.length) {
    out.meta = c.meta
      .filter(isRecord)
      .map((m) => ({ key: Number(m.key), value: String(m.value ?? "") }))
      .sort((a, b) => a.key - b.key);
  }
  if (isRecord(c.secureboot) && c.secureboot.includeWellKnownCertificates === true) {
    out.secureboot = { includeWellKnownCertificates: true };
  }
  if (isRecord(s.overlay)) {
    const o = s.overlay;
    out.overlay = {
      image: String(o.image ?? ""),
      name: String(o.name ?? ""),
      ...(isRecord(o.options) && Object.keys(o.options).length
        ? { options: canonical(o.options) as Record<string, unknown> }
        : {}),
    };
  }
  const other: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!KNOWN_TOP.has(k)) other[k] = canonical(v);
  for (const [k, v] of Object.entries(c)) {
    if (!KNOWN_CUSTOMIZATION.has(k)) other[`customization.${k}`] = canonical(v);
  }
  if (Object.keys(other).length) out.other = canonical(other) as Record<string, unknown>;
  return out;
}

export function sameSchematic(a: SchematicContents, b: SchematicContents): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * The schematic a machine reports (the `schematic` meta-extension's extra info, Image Factory's YAML), normalised;
 * null when there is none or it does not parse (then only the schematic id can be compared).
 */
export function readSchematicInfo(extraInfo: string): SchematicContents | null {
  if (!extraInfo.trim()) return null;
  const doc = parseDocument(extraInfo, { prettyErrors: false });
  if (doc.errors.length > 0) return null;
  const value = doc.toJS({ maxAliasCount: 10 }) as unknown;
  return isRecord(value) ? schematicContents(value) : null;
}

/** A baseline's `schematic`: Image Factory YAML text or an object; YAML errors name their line. */
export const declaredSchematicSchema = z.preprocess((input, ctx) => {
  if (typeof input !== "string") return input;
  const doc = parseDocument(input, { prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    ctx.addIssue({
      code: "custom",
      message: `not valid YAML: ${(err.message.split("\n")[0] ?? "").replace(/:$/, "")}`,
      input,
    });
    return z.NEVER;
  }
  return doc.toJS({ maxAliasCount: 10 }) ?? {};
}, schematicSchema);
