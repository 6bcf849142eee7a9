// Who may do what on the simulated API server. Kubernetes's RBAC reduced to what the simulator needs:
// the group system:masters may do everything (the authorizer lets it through before RBAC); a seeded
// ClusterRoleBinding "fleet-readers" binds the group "fleet:readers" to the ClusterRole "fleet-reader"
// (get, list, watch on every resource served) — the least-privilege identity a dashboard is given for
// reading; anyone else authenticated may only ask what they may do (SelfSubjectAccessReview, which
// system:basic-user grants to every authenticated user). Denials read as the API server's
// (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go `ForbiddenStatusError`).
import type { KubeStatus } from "./status";
import { statusOf } from "./status";

export interface Identity {
  user: string;
  groups: string[];
}

export const READERS_GROUP = "fleet:readers";
const READ_VERBS = new Set(["get", "list", "watch"]);

export interface Attributes {
  verb: string;
  group: string;
  /** Plural resource name ("nodes"), without the subresource. */
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export function authorize(who: Identity, a: Attributes): { allowed: boolean; reason: string } {
  if (who.groups.includes("system:masters")) return { allowed: true, reason: "" };
  if (who.groups.includes(READERS_GROUP) && READ_VERBS.has(a.verb)) {
    return {
      allowed: true,
      reason: `RBAC: allowed by ClusterRoleBinding "fleet-readers" of ClusterRole "fleet-reader" to Group "${READERS_GROUP}"`,
    };
  }
  return { allowed: false, reason: "" };
}

/** The verb of a request on a resource, as the API server's RequestInfoFactory derives it. */
export function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case "GET":
      return watch ? "watch" : hasName ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

/** 403 as the API server words it: `nodes "w-1" is forbidden: User "u" cannot patch resource "nodes" …`. */
export function forbidden(who: Identity, a: Attributes): KubeStatus {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name
    ? `${a.resource}${a.group ? `.${a.group}` : ""} "${a.name}"`
    : `${a.resource}${a.group ? `.${a.group}` : ""}`;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return statusOf(
    403,
    "Forbidden",
    `${what} is forbidden: User "${who.user}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${where}`,
    { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource },
  );
}

/** POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews: the review with its status filled in. */
// biome-ignore lint/suspicious/noExplicitAny: a SelfSubjectAccessReview, served as JSON
export function selfSubjectAccessReview(who: Identity, body: any): any {
  const ra = body?.spec?.resourceAttributes ?? {};
  const verdict = authorize(who, {
    verb: String(ra.verb ?? ""),
    group: String(ra.group ?? ""),
    resource: String(ra.resource ?? ""),
    subresource: ra.subresource ? String(ra.subresource) : undefined,
    namespace: ra.namespace ? String(ra.namespace) : undefined,
    name: ra.name ? String(ra.name) : undefined,
  });
  return {
    kind: "SelfSubjectAccessReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: { creationTimestamp: null },
    spec: body?.spec ?? {},
    status: { allowed: verdict.allowed, ...(verdict.reason ? { reason: verdict.reason } : {}) },
  };
}
