// The three patch types kubectl and client libraries send: JSON merge patch (RFC 7386), strategic merge patch
// (k8s.io/apimachinery/pkg/util/strategicpatch) and JSON patch (RFC 6902).
import type { Json, JsonObject } from "./objects";

export class PatchError extends Error {
  constructor(
    message: string,
    readonly code = 422,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge, null deletes, anything else (lists too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: JsonObject = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** Lists merged by a key in strategic merge patch (the patchMergeKey of the fields the simulator serves). */
const MERGE_KEYS: Record<string, string> = {
  conditions: "type",
  addresses: "type",
  containers: "name",
  initContainers: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  env: "name",
  ports: "containerPort",
  ownerReferences: "uid",
  imagePullSecrets: "name",
};

/**
 * Strategic merge patch: like a merge patch, but lists with a merge key merge by it, `$patch: delete|replace`
 * directives apply, and `$setElementOrder/…`, `$retainKeys`, `$deleteFromPrimitiveList/…` are honoured or dropped.
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _r, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === "delete") return null;
  const out: JsonObject = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$retainKeys" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const name = k.slice("$deleteFromPrimitiveList/".length);
      const cur = out[name];
      if (Array.isArray(cur) && Array.isArray(v)) out[name] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = MERGE_KEYS[k];
    const cur = out[k];
    if (key && Array.isArray(v) && (Array.isArray(cur) || cur === undefined)) {
      const list = [...((cur as Json[] | undefined) ?? [])];
      for (const item of v) {
        if (!isObj(item)) continue;
        const idx = list.findIndex((x) => isObj(x) && x[key] === item[key]);
        if (item.$patch === "delete") {
          if (idx >= 0) list.splice(idx, 1);
          continue;
        }
        if (idx >= 0) list[idx] = strategicMergePatch(list[idx] ?? null, item);
        else {
          const { $patch: _p, ...rest } = item;
          list.push(rest);
        }
      }
      out[k] = list;
      continue;
    }
    out[k] = strategicMergePatch(cur ?? null, v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, parts: string[]): { parent: Json; last: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)] ?? null;
    else if (isObj(cur)) cur = cur[p] ?? null;
    else cur = null;
    if (cur === null) throw new PatchError(`doc is missing path: "/${parts.join("/")}"`);
  }
  return { parent: cur, last: parts[parts.length - 1] ?? "" };
}

function getAt(doc: Json, path: string): Json | undefined {
  let cur: Json | undefined = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length))
      throw new PatchError(`unable to remove nonexistent key: ${last}: missing value`);
    const [v] = parent.splice(i, 1);
    return v ?? null;
  }
  if (isObj(parent) && last in parent) {
    const v = parent[last] ?? null;
    delete parent[last];
    return v;
  }
  throw new PatchError(`unable to remove nonexistent key: ${last}: missing value`);
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { parent, last } = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length))
      throw new PatchError(`add operation does not apply: index out of bounds: ${last}`);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else if (isObj(parent)) {
    if (replace && !(last in parent))
      throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    parent[last] = value;
  } else throw new PatchError(`doc is missing path: "${path}"`);
  return doc;
}

/** RFC 6902 operations applied in order; a failing `test` rejects the whole patch. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch", 400);
  let doc = structuredClone(target);
  for (const raw of ops) {
    if (!isObj(raw)) throw new PatchError("invalid JSON patch operation", 400);
    const op = raw.op;
    const path = String(raw.path ?? "");
    switch (op) {
      case "add":
        doc = addAt(doc, path, structuredClone(raw.value ?? null), false);
        break;
      case "replace":
        doc = addAt(doc, path, structuredClone(raw.value ?? null), true);
        break;
      case "remove":
        removeAt(doc, path);
        break;
      case "move":
      case "copy": {
        const from = String(raw.from ?? "");
        const v = op === "move" ? removeAt(doc, from) : structuredClone(getAt(doc, from) ?? null);
        doc = addAt(doc, path, v, false);
        break;
      }
      case "test":
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw.value))
          throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String(op)}`, 400);
    }
  }
  return doc;
}
