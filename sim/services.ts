// The services a Talos node runs per role, their health checks, and the ServiceInfo history machined reports.
import type { ExtensionInfo } from "./catalog";
import type { NodeRole } from "./fleet-spec";
import type { ServiceHealthData, ServiceStateName } from "./wire";

export interface ServiceDef {
  id: string;
  /** false: the service has no health check, Talos reports health "unknown". */
  checked: boolean;
  /** Services it waits for before starting, as machined's "Waiting for ..." events say. */
  dependsOn: string;
}

const COMMON: ServiceDef[] = [
  { id: "apid", checked: true, dependsOn: 'service "containerd" to be "up", api certificates' },
  { id: "auditd", checked: false, dependsOn: "" },
  { id: "containerd", checked: true, dependsOn: "" },
  { id: "cri", checked: true, dependsOn: "network" },
  { id: "dashboard", checked: false, dependsOn: "" },
  { id: "kubelet", checked: true, dependsOn: 'service "cri" to be "up", time sync, network' },
  { id: "machined", checked: true, dependsOn: "" },
  { id: "syslogd", checked: false, dependsOn: "" },
  { id: "udevd", checked: true, dependsOn: "" },
];
const CONTROL_PLANE_ONLY: ServiceDef[] = [
  { id: "etcd", checked: true, dependsOn: 'service "cri" to be "up", time sync, network, etcd spec' },
  { id: "trustd", checked: true, dependsOn: 'service "containerd" to be "up", time sync, network' },
];

const byRole = new Map<NodeRole, ServiceDef[]>([
  ["controlplane", [...COMMON, ...CONTROL_PLANE_ONLY].sort((a, b) => a.id.localeCompare(b.id))],
  ["worker", [...COMMON]],
]);
const extensionCache = new Map<string, ServiceDef[]>();

/** Services of a node, sorted by id as ServiceList returns them; shared between nodes of the same shape. */
export function serviceDefs(role: NodeRole, extensions: readonly ExtensionInfo[]): readonly ServiceDef[] {
  const key = `${role}|${extensions.map((e) => e.name).join(",")}`;
  let defs = extensionCache.get(key);
  if (!defs) {
    const ext = extensions.flatMap((e) =>
      e.service ? [{ id: e.service, checked: false, dependsOn: "" }] : [],
    );
    defs = [...(byRole.get(role) ?? []), ...ext].sort((a, b) => a.id.localeCompare(b.id));
    extensionCache.set(key, defs);
  }
  return defs;
}

/** Only kubelet and extension services may be restarted through the API. */
export function restartableViaApi(id: string): boolean {
  return id === "kubelet" || id.startsWith("ext-");
}

export interface ServiceEventData {
  msg: string;
  state: ServiceStateName;
  ts: Date;
}

/** The event history machined keeps for a service that started normally at `startedMs`. */
export function startupServiceEvents(def: ServiceDef, startedMs: number, pid: number): ServiceEventData[] {
  const at = (offset: number) => new Date(startedMs + offset);
  const events: ServiceEventData[] = [];
  if (def.dependsOn) events.push({ msg: `Waiting for ${def.dependsOn}`, state: "Waiting", ts: at(0) });
  events.push({ msg: "Running pre state", state: "Preparing", ts: at(400) });
  events.push({ msg: "Creating service runner", state: "Preparing", ts: at(450) });
  const runner = def.id === "machined" || def.id === "apid" || def.id === "trustd" || def.id === "dashboard";
  events.push({
    msg: runner
      ? `Service started as goroutine`
      : `Started task ${def.id} (PID ${pid}) for container ${def.id}`,
    state: "Running",
    ts: at(600),
  });
  if (def.checked) events.push({ msg: "Health check successful", state: "Running", ts: at(2100) });
  return events;
}

export function healthyData(def: ServiceDef, sinceMs: number): ServiceHealthData {
  return def.checked
    ? { unknown: false, healthy: true, lastMessage: "", lastChange: new Date(sinceMs) }
    : { unknown: true, healthy: false, lastMessage: "", lastChange: undefined };
}

/** What a failing health check of each service says (shortened from the real checks). */
export function unhealthyMessage(id: string): string {
  switch (id) {
    case "kubelet":
      return 'Get "http://127.0.0.1:10248/healthz": dial tcp 127.0.0.1:10248: connect: connection refused';
    case "etcd":
      return "context deadline exceeded";
    case "containerd":
    case "cri":
      return 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or directory"';
    default:
      return `health check failed: ${id} is not responding`;
  }
}
