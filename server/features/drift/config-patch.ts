// Config patches: YAML fragments of machine configuration that must hold on a machine. Validated (syntax,
// fields that exist in the Talos configuration, no secrets declared in a baseline) and turned into one
// expectation per leaf field.
import { type ConfigDocument, type FieldError, parseConfigText, positionOf } from "./config-documents";
import { checkFieldPath } from "./config-schema";
import { type FlatField, flattenDocuments, normaliseDocuments } from "./normalise";
import { formatPath } from "./paths";
import { REDACTED, redactDocuments } from "./redact";

export interface ParsedPatch {
  documents: ConfigDocument[];
  /** Leaf fields the patch declares, keyed by field id. */
  fields: Map<string, FlatField>;
}

/** Parses and validates a patch; `where` prefixes error fields (e.g. `configPatches[0]`). */
export function parsePatch(text: string, where: string): { patch?: ParsedPatch; errors: FieldError[] } {
  const { documents, errors } = parseConfigText(text);
  const located = errors.map((e) => ({ ...e, field: e.field ? `${where}.${e.field}` : where }));
  if (located.length > 0) return { errors: located };
  if (documents.length === 0) return { errors: [{ field: where, message: "the patch is empty" }] };
  const out: FieldError[] = [];
  for (const doc of documents) {
    const raw = flattenDocuments([doc]);
    for (const f of raw.values()) {
      const check = checkFieldPath(doc.kind, f.path);
      if (!check.ok) {
        out.push({
          field: `${where}: ${doc.id}:${formatPath(f.path)}`,
          message: check.message,
          ...positionOf(doc, f.path),
        });
      }
    }
    // a baseline kept in git must not carry secrets: those are the machine's own and never compared
    const redacted = flattenDocuments(redactDocuments([doc]));
    for (const f of redacted.values()) {
      if (typeof f.value === "string" && f.value.startsWith(REDACTED)) {
        out.push({
          field: `${where}: ${doc.id}:${formatPath(f.path)}`,
          message:
            "this field holds a secret; baselines cannot declare secrets (they are redacted on machines)",
          ...positionOf(doc, f.path),
        });
      }
    }
  }
  if (out.length > 0) return { errors: out };
  const normalised = normaliseDocuments(documents, { keepDefaults: true });
  return { patch: { documents: normalised, fields: flattenDocuments(normalised) }, errors: [] };
}

/**
 * Whether a declared field holds in an actual configuration (flattened, normalised). A declared list of scalars
 * holds when every item is present (Talos merges patch lists by appending); other values must be equal.
 */
export function fieldHolds(declared: unknown, actual: unknown): boolean {
  if (Array.isArray(declared) && Array.isArray(actual) && declared.every((d) => typeof d !== "object")) {
    const have = new Set(actual.map((a) => JSON.stringify(a)));
    return declared.every((d) => have.has(JSON.stringify(d)));
  }
  return JSON.stringify(declared) === JSON.stringify(actual);
}
