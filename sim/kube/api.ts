// The REST surface of the simulated kube-apiserver: discovery, list/get/watch, node patch and update, pod
// delete and eviction; errors as metav1.Status with the API server's codes and reasons.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { KubeCluster } from "./cluster";
import {
  apiGroup,
  apiGroupList,
  apiVersionOf,
  apiVersions,
  findResource,
  type ResourceDef,
  resourceList,
  versionInfo,
} from "./discovery";
import { deletePod, evictPod } from "./eviction";
import type { Json, KubeObject, Taint } from "./objects";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./patch";
import { authorize, forbidden, selfSubjectAccessReview, verbOf } from "./rbac";
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "./selectors";
import { type KubeStatus, statusOf, success } from "./status";
import { ResourceExpiredError, type StoreEvent } from "./store";
import { toTable, wantsTable } from "./tables";

export interface ApiContext {
  cluster: KubeCluster;
  gitVersion: string;
  serverAddress: string;
}

class HttpError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

const fail = (code: number, reason: string, message: string, details?: KubeStatus["details"]) =>
  new HttpError(statusOf(code, reason, message, details));

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-cache, private",
    "audit-id": crypto.randomUUID(),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Json> {
  let body = "";
  for await (const chunk of req) body += chunk;
  if (!body.trim()) return null;
  try {
    return JSON.parse(body) as Json;
  } catch (err) {
    throw fail(400, "BadRequest", `error decoding request body: ${(err as Error).message}`);
  }
}

/** Caller identity from the client certificate (401 without one the cluster's CA signed). */
function authenticate(req: IncomingMessage): { user: string; groups: string[] } {
  const sock = req.socket as TLSSocket;
  if (!sock.authorized) throw fail(401, "Unauthorized", "Unauthorized");
  const subject = sock.getPeerCertificate().subject as Record<string, string | string[]> | undefined;
  const o = subject?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  const cn = subject?.CN;
  return { user: Array.isArray(cn) ? (cn[0] ?? "") : (cn ?? ""), groups };
}

interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Resolves `/api/v1/...` and `/apis/<group>/<version>/...` to a resource, namespace, name, subresource. */
function target(group: string, version: string, rest: string[]): Target | undefined {
  let namespace: string | undefined;
  let parts = rest;
  if (parts[0] === "namespaces" && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const def = findResource(group, version, parts[0] ?? "");
  if (!def) return undefined;
  if (namespace !== undefined && !def.namespaced) return undefined;
  return { def, namespace, name: parts[1], sub: parts[2] };
}

function stripForList(o: KubeObject): Omit<KubeObject, "apiVersion" | "kind"> {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export async function handleKube(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const who = authenticate(req);
    const counts = ctx.cluster.stats.requestsByUser;
    counts[who.user] = (counts[who.user] ?? 0) + 1;
    const url = new URL(req.url ?? "/", "https://kubernetes");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    if (["/healthz", "/livez", "/readyz"].includes(path)) {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    if (method === "POST" && path === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") {
      return sendJson(res, 201, selfSubjectAccessReview(who, await readBody(req)));
    }
    // Discovery (/version, /api, /apis…) is open to every authenticated user (system:discovery);
    // resources are authorized below.
    if (method === "GET") {
      if (path === "/version") return sendJson(res, 200, versionInfo(ctx.gitVersion));
      if (path === "/api") return sendJson(res, 200, apiVersions(ctx.serverAddress));
      if (path === "/apis") return sendJson(res, 200, apiGroupList());
      if (path === "/api/v1") return sendJson(res, 200, resourceList("", "v1"));
      const g = /^\/apis\/([^/]+)$/.exec(path);
      if (g) {
        const body = apiGroup(g[1] ?? "");
        if (body) return sendJson(res, 200, body);
      }
      const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
      if (gv) {
        const body = resourceList(gv[1] ?? "", gv[2] ?? "");
        if (body) return sendJson(res, 200, body);
      }
    }
    const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
    let t: Target | undefined;
    if (segs[0] === "api" && segs[1] === "v1") t = target("", "v1", segs.slice(2));
    else if (segs[0] === "apis" && segs.length >= 3) t = target(segs[1] ?? "", segs[2] ?? "", segs.slice(3));
    if (segs[0] === "api" && segs[1] === "v1" && segs[2] === "namespaces" && segs.length === 4 && !t) {
      t = { def: findResource("", "v1", "namespaces") as ResourceDef, name: segs[3] };
    }
    if (!t) throw fail(404, "NotFound", "the server could not find the requested resource");
    const w = url.searchParams.get("watch");
    const attrs = {
      verb: verbOf(method, t.name !== undefined, w === "true" || w === "1"),
      group: t.sub === "eviction" ? "" : t.def.group,
      resource: t.def.resource,
      subresource: t.sub,
      namespace: t.namespace,
      name: t.name,
    };
    if (!authorize(who, attrs).allowed) throw new HttpError(forbidden(who, attrs));
    await serve(ctx, t, method, url, req, res);
  } catch (err) {
    if (err instanceof HttpError) return sendJson(res, err.status.code, err.status);
    if (err instanceof SelectorError) return sendJson(res, 400, statusOf(400, "BadRequest", err.message));
    if (err instanceof PatchError)
      return sendJson(
        res,
        err.code,
        statusOf(err.code, err.code === 422 ? "Invalid" : "BadRequest", err.message),
      );
    if (!res.headersSent)
      sendJson(
        res,
        500,
        statusOf(500, "InternalError", `Internal error occurred: ${(err as Error).message}`),
      );
    else res.destroy();
  }
}

const notAllowed = () =>
  fail(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

async function serve(
  ctx: ApiContext,
  t: Target,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const kc = ctx.cluster;
  const { def } = t;
  const key = (name: string) => (def.namespaced ? `${t.namespace}/${name}` : name);
  const notFound = (name: string) =>
    fail(404, "NotFound", `${def.resource}${def.group ? `.${def.group}` : ""} "${name}" not found`, {
      name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.resource,
    });
  const table = wantsTable(req.headers.accept);

  if (!t.name) {
    if (method !== "GET") throw notAllowed();
    const labels = parseLabelSelector(url.searchParams.get("labelSelector"));
    const fields = parseFieldSelector(def.resource, url.searchParams.get("fieldSelector"));
    const match = (o: KubeObject) =>
      (t.namespace === undefined || o.metadata.namespace === t.namespace) &&
      matchesLabels(labels, o.metadata.labels) &&
      matchesFields(def.resource, fields, o);
    const w = url.searchParams.get("watch");
    if (w === "true" || w === "1") return watch(ctx, def, match, url, res, table);
    const items = kc.store
      .list(def.resource)
      .filter(match)
      .sort(
        (a, b) =>
          (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    const rv = String(kc.store.rv);
    if (table) return sendJson(res, 200, toTable(def.resource, items, rv));
    return sendJson(res, 200, {
      kind: `${def.kind}List`,
      apiVersion: apiVersionOf(def),
      metadata: { resourceVersion: rv },
      items: items.map(stripForList),
    });
  }

  const name = t.name;
  const current = () => kc.store.get(def.resource, key(name));

  if (t.sub === "eviction" && def.resource === "pods") {
    if (method !== "POST") throw notAllowed();
    const body = (await readBody(req)) as { apiVersion?: string; kind?: string } | null;
    if (body?.kind !== "Eviction" || !["policy/v1", "policy/v1beta1"].includes(body.apiVersion ?? ""))
      throw fail(
        400,
        "BadRequest",
        `not a Eviction object: ${body?.apiVersion ?? ""}, Kind=${body?.kind ?? ""}`,
      );
    const dryRun = url.searchParams.getAll("dryRun");
    const ev = body as Parameters<typeof evictPod>[3];
    if (dryRun.length > 0) ev.deleteOptions = { ...ev.deleteOptions, dryRun };
    const r = evictPod(kc, t.namespace ?? "default", name, ev);
    kc.kick();
    if (!r.ok) throw new HttpError(r.status);
    return sendJson(res, 201, success(201));
  }
  if (t.sub !== undefined && t.sub !== "status")
    throw fail(404, "NotFound", "the server could not find the requested resource");

  switch (method) {
    case "GET": {
      const o = current();
      if (!o) throw notFound(name);
      return sendJson(res, 200, table ? toTable(def.resource, [o], o.metadata.resourceVersion) : o);
    }
    case "DELETE": {
      if (def.resource !== "pods" || t.sub) throw notAllowed();
      const body = (await readBody(req)) as {
        gracePeriodSeconds?: number;
        preconditions?: { uid?: string; resourceVersion?: string };
      } | null;
      const gp = url.searchParams.get("gracePeriodSeconds");
      const opts = {
        ...(body ?? {}),
        ...(gp !== null ? { gracePeriodSeconds: Number(gp) } : {}),
        dryRun: url.searchParams.getAll("dryRun"),
      };
      const r = deletePod(kc, t.namespace ?? "default", name, opts);
      kc.kick();
      if ("status" in r) throw new HttpError(r.status);
      return sendJson(res, 200, r.pod);
    }
    case "PATCH":
    case "PUT": {
      if (def.resource !== "nodes" || t.sub) throw notAllowed();
      const cur = current();
      if (!cur) throw notFound(name);
      const body = await readBody(req);
      let next: Json;
      if (method === "PUT") next = body;
      else {
        const ct = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
        if (ct === "application/merge-patch+json") next = mergePatch(cur as unknown as Json, body);
        else if (ct === "application/strategic-merge-patch+json")
          next = strategicMergePatch(cur as unknown as Json, body);
        else if (ct === "application/json-patch+json") next = jsonPatch(cur as unknown as Json, body);
        else
          throw fail(
            415,
            "UnsupportedMediaType",
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
          );
      }
      const updated = updateNode(cur, next as unknown as KubeObject, method === "PUT");
      const stored = kc.store.put("nodes", updated);
      kc.kick();
      return sendJson(res, 200, stored);
    }
    default:
      throw notAllowed();
  }
}

const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** The node strategy's update: metadata labels/annotations and spec change; status is the API's own. */
function updateNode(cur: KubeObject, next: KubeObject | null, put: boolean): KubeObject {
  const name = cur.metadata.name;
  const invalid = (field: string, detail: string) =>
    fail(422, "Invalid", `Node "${name}" is invalid: ${field}: ${detail}`, {
      name,
      kind: "Node",
      causes: [{ reason: "FieldValueInvalid", message: detail, field }],
    });
  if (!next || typeof next !== "object" || !next.metadata)
    throw fail(400, "BadRequest", "the object has no metadata");
  if (put && next.kind !== undefined && next.kind !== "Node")
    throw fail(
      400,
      "BadRequest",
      `the API version in the data (${next.apiVersion}) does not match the expected API version (v1)`,
    );
  if (next.metadata.name !== undefined && next.metadata.name !== name)
    throw fail(
      400,
      "BadRequest",
      `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`,
    );
  const rv = next.metadata.resourceVersion;
  if (rv !== undefined && rv !== "" && rv !== cur.metadata.resourceVersion)
    throw fail(
      409,
      "Conflict",
      `Operation cannot be fulfilled on nodes "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      {
        name,
        kind: "nodes",
      },
    );
  if (next.metadata.uid !== undefined && next.metadata.uid !== cur.metadata.uid)
    throw invalid("metadata.uid", `Invalid value: "${next.metadata.uid}": field is immutable`);
  const spec = (next.spec ?? {}) as { unschedulable?: unknown; taints?: Taint[] };
  if (spec.unschedulable !== undefined && typeof spec.unschedulable !== "boolean")
    throw invalid("spec.unschedulable", "Invalid value: must be a boolean");
  for (const [i, taint] of (spec.taints ?? []).entries()) {
    if (!taint.key) throw invalid(`spec.taints[${i}].key`, "Required value");
    if (!EFFECTS.includes(taint.effect))
      throw invalid(
        `spec.taints[${i}].effect`,
        `Unsupported value: "${taint.effect}": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"`,
      );
  }
  for (const [k, v] of Object.entries(next.metadata.labels ?? {})) {
    if (typeof v !== "string" || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v))
      throw invalid(
        `metadata.labels`,
        `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      );
    if (!k) throw invalid("metadata.labels", 'Invalid value: "": name part must be non-empty');
  }
  const out = structuredClone(cur);
  out.metadata.labels = next.metadata.labels ?? {};
  if (next.metadata.annotations && Object.keys(next.metadata.annotations).length > 0)
    out.metadata.annotations = next.metadata.annotations;
  else delete out.metadata.annotations;
  out.spec = { ...(next.spec ?? {}) };
  if (!out.spec.unschedulable) delete out.spec.unschedulable;
  if (Array.isArray(out.spec.taints) && out.spec.taints.length === 0) delete out.spec.taints;
  return out;
}

/** A watch: newline-delimited events, from a resourceVersion or with the current state first. */
function watch(
  ctx: ApiContext,
  def: ResourceDef,
  match: (o: KubeObject) => boolean,
  url: URL,
  res: ServerResponse,
  table: boolean,
): void {
  const store = ctx.cluster.store;
  const rvParam = url.searchParams.get("resourceVersion");
  res.writeHead(200, {
    "content-type": "application/json",
    "cache-control": "no-cache, private",
    "transfer-encoding": "chunked",
  });
  res.flushHeaders();
  const render = (o: KubeObject) => (table ? toTable(def.resource, [o], o.metadata.resourceVersion) : o);
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const deliver = (e: StoreEvent) => {
    if (e.resource !== def.resource) return;
    const now = match(e.object);
    if (e.type === "MODIFIED" && e.old) {
      const was = match(e.old);
      if (was && !now) return write("DELETED", render(e.object));
      if (!was && now) return write("ADDED", render(e.object));
      if (!now) return;
      return write("MODIFIED", render(e.object));
    }
    if (now) write(e.type, render(e.object));
  };
  if (!rvParam || rvParam === "0") {
    for (const o of store.list(def.resource).filter(match)) write("ADDED", render(o));
  } else {
    const from = Number(rvParam);
    try {
      if (!Number.isInteger(from)) throw new ResourceExpiredError(0, store.rv);
      for (const e of store.since(from)) deliver(e);
    } catch (err) {
      if (!(err instanceof ResourceExpiredError)) throw err;
      write("ERROR", statusOf(410, "Expired", err.message));
      res.end();
      return;
    }
  }
  const off = store.subscribe(deliver);
  const timeout = Number(url.searchParams.get("timeoutSeconds") ?? 0);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : null;
  const done = () => {
    off();
    if (timer) clearTimeout(timer);
  };
  res.on("close", done);
  res.on("finish", done);
}
