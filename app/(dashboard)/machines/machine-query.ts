// The machines list's state in the URL, so a link reproduces the view: ?health=a,b&site=…&selector=…
// &drift=drifted&driftKind=kernelArg&outlier=<group key> (the drift overview links these).

import type { ExpectationKind } from "@/server/features/drift/precedence";
import { DRIFT_STATUSES, type DriftStatus } from "@/server/model/drift-status";
import type { Health } from "@/server/model/health-words";

export const SORTS = ["hostname", "cluster", "site", "health", "version", "lastSeen"] as const;
export type Sort = (typeof SORTS)[number];
const HEALTH = ["healthy", "degraded", "unhealthy", "unreachable", "upgrading", "unknown"];

export interface MachineQuery {
  health: Health[];
  cluster: string;
  site: string;
  role: "" | "controlplane" | "worker";
  version: string;
  kubernetes: string;
  /** The Kubernetes Node: cordoned, or not Ready. */
  node: "" | "cordoned" | "not-ready";
  selector: string;
  q: string;
  drift: "" | DriftStatus;
  /** A kind of expectation (server/features/drift/precedence.ts EXPECTATION_KINDS); the server checks it. */
  driftKind: string;
  /** An outlier group's key. */
  outlier: string;
  sort: Sort;
  dir: "asc" | "desc";
  page: number;
}

export function readQuery(p: URLSearchParams): MachineQuery {
  const role = p.get("role");
  const sort = p.get("sort") as Sort | null;
  const drift = p.get("drift") as DriftStatus | null;
  return {
    health: (p.get("health") ?? "").split(",").filter((h): h is Health => HEALTH.includes(h)),
    cluster: p.get("cluster") ?? "",
    site: p.get("site") ?? "",
    role: role === "controlplane" || role === "worker" ? role : "",
    version: p.get("version") ?? "",
    kubernetes: p.get("kubernetes") ?? "",
    node:
      p.get("node") === "cordoned" || p.get("node") === "not-ready"
        ? (p.get("node") as MachineQuery["node"])
        : "",
    selector: p.get("selector") ?? "",
    q: p.get("q") ?? "",
    drift: drift && DRIFT_STATUSES.includes(drift) ? drift : "",
    driftKind: p.get("driftKind") ?? "",
    outlier: p.get("outlier") ?? "",
    sort: sort && (SORTS as readonly string[]).includes(sort) ? sort : "hostname",
    dir: p.get("dir") === "desc" ? "desc" : "asc",
    page: Math.max(1, Number(p.get("page")) || 1),
  };
}

export function writeQuery(q: MachineQuery): string {
  const p = new URLSearchParams();
  if (q.health.length) p.set("health", q.health.join(","));
  for (const k of [
    "cluster",
    "site",
    "role",
    "version",
    "kubernetes",
    "node",
    "selector",
    "q",
    "drift",
    "driftKind",
    "outlier",
  ] as const) {
    if (q[k]) p.set(k, q[k]);
  }
  if (q.sort !== "hostname") p.set("sort", q.sort);
  if (q.dir !== "asc") p.set("dir", q.dir);
  if (q.page > 1) p.set("page", String(q.page));
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The list procedure's input (empty strings left out). */
export function toInput(q: MachineQuery, pageSize: number) {
  return {
    health: q.health.length ? q.health : undefined,
    cluster: q.cluster || undefined,
    site: q.site || undefined,
    role: q.role || undefined,
    version: q.version || undefined,
    kubernetes: q.kubernetes || undefined,
    node: q.node || undefined,
    selector: q.selector || undefined,
    q: q.q || undefined,
    drift: q.drift || undefined,
    driftKind: (q.driftKind || undefined) as ExpectationKind | undefined,
    outlier: q.outlier || undefined,
    sort: q.sort,
    dir: q.dir,
    page: q.page,
    pageSize,
  };
}
