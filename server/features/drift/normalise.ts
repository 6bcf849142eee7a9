// Canonical form of machine configuration documents, so order, formatting and spelled-out defaults never count as
// drift: keys sorted, empty values and Talos defaults dropped, free-form argument maps as strings, lists of
// objects keyed by their natural key. `flattenDocuments` turns documents into one value per field path.
import type { ConfigDocument } from "./config-documents";
import { type ConfigPath, formatPath, type PathSegment } from "./paths";

/** Values Talos applies when a v1alpha1 field is absent (Talos 1.11–1.14): writing them out is not a difference. */
const V1ALPHA1_DEFAULTS: Record<string, unknown> = {
  debug: false,
  persist: true,
  "machine.install.wipe": false,
  "machine.kubelet.defaultRuntimeSeccompProfileEnabled": true,
  "machine.kubelet.disableManifestsDirectory": true,
  "machine.features.rbac": true,
  "machine.features.stableHostname": true,
  "machine.features.apidCheckExtKeyUsage": true,
  "machine.features.diskQuotaSupport": true,
  "machine.features.kubePrism.enabled": true,
  "machine.features.kubePrism.port": 7445,
  "cluster.network.dnsDomain": "cluster.local",
  "cluster.network.podSubnets": ["10.244.0.0/16"],
  "cluster.network.serviceSubnets": ["10.96.0.0/12"],
  "cluster.discovery.enabled": true,
  "cluster.discovery.registries.kubernetes.disabled": true,
  "cluster.proxy.disabled": false,
  "cluster.coreDNS.disabled": false,
  "cluster.allowSchedulingOnControlPlanes": false,
};

/** Maps whose values Talos takes as strings (`max-pods: 250` and `max-pods: "250"` are the same). */
const STRING_MAPS = /(^|\.)(extraArgs|sysctls|sysfs|env|nodeLabels|nodeAnnotations|nodeTaints)$/;

/** Keys that identify an item of a list of objects, tried in order. */
const NATURAL_KEYS = [
  "name",
  "interface",
  "path",
  "image",
  "device",
  "deviceSelector",
  "hostPath",
  "mountPath",
];

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v).length === 0;
  return false;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function canonical(value: unknown, trail: string, defaults: Record<string, unknown>): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v, `${trail}[]`, defaults)).filter((v) => !isEmpty(v));
    return items;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    const stringMap = STRING_MAPS.test(trail);
    for (const key of Object.keys(value).sort()) {
      const path = trail ? `${trail}.${key}` : key;
      let v = (value as Record<string, unknown>)[key];
      if (stringMap && v !== null && typeof v !== "object") v = String(v);
      else v = canonical(v, path, defaults);
      if (isEmpty(v)) continue;
      if (path in defaults && same(v, defaults[path])) continue;
      out[key] = v;
    }
    return out;
  }
  return value;
}

/** The value Talos uses when a field is absent, if it has one (dotted path as `formatPath` prints it). */
export function defaultValue(kind: string, path: string): unknown {
  return kind === "v1alpha1" ? V1ALPHA1_DEFAULTS[path] : undefined;
}

/** The canonical form of one document; `keepDefaults` keeps spelled-out defaults (a patch that declares one). */
export function normaliseDocument(
  doc: ConfigDocument,
  opts: { keepDefaults?: boolean } = {},
): ConfigDocument {
  const defaults = doc.kind === "v1alpha1" && !opts.keepDefaults ? V1ALPHA1_DEFAULTS : {};
  const value = canonical(doc.value, "", defaults) as Record<string, unknown>;
  return { id: doc.id, kind: doc.kind, value };
}

/** Canonical documents sorted by id. */
export function normaliseDocuments(
  docs: readonly ConfigDocument[],
  opts: { keepDefaults?: boolean } = {},
): ConfigDocument[] {
  return docs.map((d) => normaliseDocument(d, opts)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface FlatField {
  document: string;
  path: ConfigPath;
  value: unknown;
}

/** Field id as stored and shown: `<document>:<path>`, e.g. `v1alpha1:machine.kubelet.extraArgs.max-pods`. */
export function fieldId(document: string, path: ConfigPath): string {
  return `${document}:${formatPath(path)}`;
}

function naturalKey(items: unknown[]): string | undefined {
  if (!items.every((i) => i !== null && typeof i === "object" && !Array.isArray(i))) return undefined;
  for (const key of NATURAL_KEYS) {
    const values = items.map((i) => (i as Record<string, unknown>)[key]);
    if (values.every((v) => typeof v === "string" && v !== "") && new Set(values).size === values.length) {
      return key;
    }
  }
  return undefined;
}

function flattenValue(
  value: unknown,
  path: PathSegment[],
  out: (path: PathSegment[], v: unknown) => void,
): void {
  if (Array.isArray(value)) {
    const key = value.length > 0 ? naturalKey(value) : undefined;
    if (key === undefined) {
      out(path, value); // lists of scalars (and unkeyed objects) compare whole
      return;
    }
    for (const item of value as Record<string, unknown>[]) {
      const { [key]: id, ...rest } = item;
      const itemPath = [...path, { key, value: String(id) }];
      if (Object.keys(rest).length === 0) out(itemPath, {});
      else flattenValue(rest, itemPath, out);
    }
    return;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) {
      out(path, {});
      return;
    }
    for (const [k, v] of entries) flattenValue(v, [...path, k], out);
    return;
  }
  out(path, value);
}

/** One entry per leaf field of the (normalised) documents, keyed by field id. */
export function flattenDocuments(docs: readonly ConfigDocument[]): Map<string, FlatField> {
  const fields = new Map<string, FlatField>();
  for (const doc of docs) {
    flattenValue(doc.value, [], (path, value) => {
      fields.set(fieldId(doc.id, path), { document: doc.id, path, value });
    });
  }
  return fields;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function appendKey(prefix: string, key: string): string {
  if (PLAIN_KEY.test(key)) return prefix ? `${prefix}.${key}` : key;
  return `${prefix}[${JSON.stringify(key)}]`;
}

function eachLeaf(value: unknown, path: string, out: (id: string, v: unknown) => void): void {
  if (Array.isArray(value)) {
    const key = value.length > 0 ? naturalKey(value) : undefined;
    if (key === undefined) {
      out(path, value);
      return;
    }
    for (const item of value as Record<string, unknown>[]) {
      const itemPath = `${path}[${key}=${JSON.stringify(String(item[key]))}]`;
      let any = false;
      for (const k in item) {
        if (k === key) continue;
        any = true;
        eachLeaf(item[k], appendKey(itemPath, k), out);
      }
      if (!any) out(itemPath, {});
    }
    return;
  }
  if (value !== null && typeof value === "object") {
    let any = false;
    for (const k in value as Record<string, unknown>) {
      any = true;
      eachLeaf((value as Record<string, unknown>)[k], appendKey(path, k), out);
    }
    if (!any) out(path, {});
    return;
  }
  out(path, value);
}

/** The same leaves and field ids as `flattenDocuments`, as text only (no path arrays): for fingerprints. */
export function eachDocumentLeaf(
  docs: readonly ConfigDocument[],
  out: (fieldId: string, value: unknown) => void,
): void {
  for (const doc of docs) eachLeaf(doc.value, "", (path, v) => out(`${doc.id}:${path}`, v));
}
