// Parses machine configuration text (one or more YAML documents) keeping positions for field-level errors.
import { type Document, isMap, LineCounter, parseAllDocuments } from "yaml";
import type { ConfigPath } from "./paths";

/** One document of a machine configuration: the legacy v1alpha1 document or a typed one (`kind`, optional `name`). */
export interface ConfigDocument {
  /** `v1alpha1`, or `<kind>` / `<kind>/<name>` for typed documents. */
  id: string;
  kind: string;
  value: Record<string, unknown>;
  /** Where the document's nodes are, to point errors at lines (absent for documents built in code). */
  source?: { doc: Document; lines: LineCounter };
}

export interface FieldError {
  /** The document and field the error is about ("" when it is about the whole text). */
  field: string;
  message: string;
  line?: number;
  column?: number;
}

export const V1ALPHA1 = "v1alpha1";

export function documentId(value: Record<string, unknown>): { id: string; kind: string } {
  const kind = typeof value.kind === "string" ? value.kind : V1ALPHA1;
  if (kind === V1ALPHA1) return { id: V1ALPHA1, kind };
  return { id: typeof value.name === "string" && value.name ? `${kind}/${value.name}` : kind, kind };
}

/** Aliases a document may expand: a configuration never needs many; an alias bomb needs millions. */
const MAX_ALIASES = 100;

/** Parses YAML text into configuration documents; syntax errors and non-mapping documents come back as errors. */
export function parseConfigText(
  text: string,
  opts: { sameIdAllowed?: boolean } = {},
): { documents: ConfigDocument[]; errors: FieldError[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors: FieldError[] = [];
  const documents: ConfigDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      errors.push({ field: "", message: firstLine(e.message), line: pos.line, column: pos.col });
    }
    if (doc.errors.length > 0) continue;
    if (doc.contents === null) continue; // an empty document (e.g. a trailing ---)
    if (!isMap(doc.contents)) {
      const pos = doc.contents.range ? lines.linePos(doc.contents.range[0]) : undefined;
      errors.push({
        field: "",
        message: "a configuration document must be a mapping of fields (key: value)",
        line: pos?.line,
        column: pos?.col,
      });
      continue;
    }
    let value: Record<string, unknown>;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES }) as Record<string, unknown>;
    } catch {
      // The yaml library refuses documents whose aliases would expand without bound (an alias bomb).
      const pos = doc.contents.range ? lines.linePos(doc.contents.range[0]) : undefined;
      errors.push({
        field: "",
        message: `the document expands its YAML aliases (*name) more than ${MAX_ALIASES} times, as an alias bomb does; write the values out instead of aliasing them`,
        line: pos?.line,
        column: pos?.col,
      });
      continue;
    }
    documents.push({ ...documentId(value), value, source: { doc, lines } });
  }
  const seen = new Set<string>();
  for (const d of opts.sameIdAllowed ? [] : documents) {
    if (seen.has(d.id)) errors.push({ field: d.id, message: `document ${d.id} appears twice` });
    seen.add(d.id);
  }
  return { documents, errors };
}

/** Line and column of a field of a parsed document, when it has a source. */
export function positionOf(doc: ConfigDocument, path: ConfigPath): { line?: number; column?: number } {
  if (!doc.source) return {};
  const keys = path.map((s) => (typeof s === "object" ? s.value : s));
  for (let n = keys.length; n > 0; n--) {
    const node = doc.source.doc.getIn(keys.slice(0, n), true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range) {
      const pos = doc.source.lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
