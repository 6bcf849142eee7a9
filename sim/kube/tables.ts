// Server-side printing (meta.k8s.io/v1 Table) as kubectl asks for it: the columns of kubernetes
// pkg/printers/internalversion/printers.go for the kinds the simulator serves.
import { type Condition, type KubeObject, nodeReadyCondition } from "./objects";
import type { Resource } from "./store";

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

type Col = { name: string; type?: string; format?: string; priority?: number; description?: string };
type Row = Array<string | number>;

const age = (o: KubeObject) => humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp));

function podStatusText(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return "Terminating";
  if (p.status?.reason) return p.status.reason;
  const cs = (p.status?.containerStatuses ?? []) as Array<{ state?: Record<string, { reason?: string }> }>;
  for (const c of cs) {
    const w = c.state?.waiting?.reason;
    if (w) return w;
    const t = c.state?.terminated;
    if (t) return t.reason ?? "Error";
  }
  const sched = ((p.status?.conditions ?? []) as Condition[]).find((c) => c.type === "PodScheduled");
  if (p.status?.phase === "Pending" && sched?.status === "False") return "Pending";
  return p.status?.phase ?? "Unknown";
}

const COLUMNS: Record<Resource, { cols: Col[]; row: (o: KubeObject) => Row }> = {
  nodes: {
    cols: [
      { name: "Status", type: "string" },
      { name: "Roles", type: "string" },
      { name: "Age", type: "string" },
      { name: "Version", type: "string" },
      { name: "Internal-IP", type: "string", priority: 1 },
      { name: "External-IP", type: "string", priority: 1 },
      { name: "OS-Image", type: "string", priority: 1 },
      { name: "Kernel-Version", type: "string", priority: 1 },
      { name: "Container-Runtime", type: "string", priority: 1 },
    ],
    row: (n) => {
      const r = nodeReadyCondition(n)?.status;
      let status = r === "True" ? "Ready" : r === "False" ? "NotReady" : "Unknown";
      if (n.spec?.unschedulable) status += ",SchedulingDisabled";
      const roles = Object.keys(n.metadata.labels ?? {})
        .filter((l) => l.startsWith("node-role.kubernetes.io/"))
        .map((l) => l.slice("node-role.kubernetes.io/".length))
        .join(",");
      const addr = (t: string) =>
        ((n.status?.addresses ?? []) as Array<{ type: string; address: string }>).find((a) => a.type === t)
          ?.address ?? "<none>";
      const info = n.status?.nodeInfo ?? {};
      return [
        status,
        roles || "<none>",
        age(n),
        info.kubeletVersion ?? "",
        addr("InternalIP"),
        addr("ExternalIP"),
        info.osImage ?? "",
        info.kernelVersion ?? "",
        info.containerRuntimeVersion ?? "",
      ];
    },
  },
  pods: {
    cols: [
      { name: "Ready", type: "string" },
      { name: "Status", type: "string" },
      { name: "Restarts", type: "string" },
      { name: "Age", type: "string" },
      { name: "IP", type: "string", priority: 1 },
      { name: "Node", type: "string", priority: 1 },
      { name: "Nominated Node", type: "string", priority: 1 },
      { name: "Readiness Gates", type: "string", priority: 1 },
    ],
    row: (p) => {
      const cs = (p.status?.containerStatuses ?? []) as Array<{ ready?: boolean; restartCount?: number }>;
      const total = (p.spec?.containers ?? []).length;
      const ready = cs.filter((c) => c.ready).length;
      const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      return [
        `${ready}/${total}`,
        podStatusText(p),
        String(restarts),
        age(p),
        p.status?.podIP ?? "<none>",
        p.spec?.nodeName ?? "<none>",
        "<none>",
        "<none>",
      ];
    },
  },
  namespaces: {
    cols: [
      { name: "Status", type: "string" },
      { name: "Age", type: "string" },
    ],
    row: (o) => [o.status?.phase ?? "Active", age(o)],
  },
  daemonsets: {
    cols: ["Desired", "Current", "Ready", "Up-to-date", "Available"]
      .map((name) => ({ name, type: "integer" }))
      .concat([
        { name: "Node Selector", type: "string" },
        { name: "Age", type: "string" },
      ]),
    row: (o) => {
      const s = o.status ?? {};
      return [
        s.desiredNumberScheduled ?? 0,
        s.currentNumberScheduled ?? 0,
        s.numberReady ?? 0,
        s.updatedNumberScheduled ?? 0,
        s.numberAvailable ?? 0,
        "<none>",
        age(o),
      ];
    },
  },
  deployments: {
    cols: [
      { name: "Ready", type: "string" },
      { name: "Up-to-date", type: "string" },
      { name: "Available", type: "string" },
      { name: "Age", type: "string" },
    ],
    row: (o) => {
      const s = o.status ?? {};
      return [
        `${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
        s.updatedReplicas ?? 0,
        s.availableReplicas ?? 0,
        age(o),
      ];
    },
  },
  replicasets: {
    cols: [
      { name: "Desired", type: "integer" },
      { name: "Current", type: "integer" },
      { name: "Ready", type: "integer" },
      { name: "Age", type: "string" },
    ],
    row: (o) => [o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o)],
  },
  statefulsets: {
    cols: [
      { name: "Ready", type: "string" },
      { name: "Age", type: "string" },
    ],
    row: (o) => [`${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o)],
  },
  poddisruptionbudgets: {
    cols: [
      { name: "Min Available", type: "string" },
      { name: "Max Unavailable", type: "string" },
      { name: "Allowed Disruptions", type: "integer" },
      { name: "Age", type: "string" },
    ],
    row: (o) => [
      o.spec?.minAvailable !== undefined ? String(o.spec.minAvailable) : "N/A",
      o.spec?.maxUnavailable !== undefined ? String(o.spec.maxUnavailable) : "N/A",
      o.status?.disruptionsAllowed ?? 0,
      age(o),
    ],
  },
};

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function toTable(resource: Resource, objects: KubeObject[], resourceVersion: string) {
  const def = COLUMNS[resource];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: [
      {
        name: "Name",
        type: "string",
        format: "name",
        description: "Name must be unique within a namespace.",
        priority: 0,
      },
      ...def.cols.map((c) => ({
        name: c.name,
        type: c.type ?? "string",
        format: c.format ?? "",
        description: c.description ?? "",
        priority: c.priority ?? 0,
      })),
    ],
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...def.row(o)],
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
