// The running fleet: nodes by address and hostname, clusters with their endpoint node, shared clock and registry.
import type { SimClock } from "./clock";
import { applyFault, clearFault, type NodeFaults } from "./faults";
import type { ClusterSpec, FleetSpec } from "./fleet-spec";
import { machinedLine } from "./log-formats";
import { SimNode } from "./node";
import type { ImageRegistry } from "./registry";

export interface SimCluster {
  spec: ClusterSpec;
  nodes: SimNode[];
  /** The first control-plane node: its address is the cluster's endpoint. */
  endpoint: SimNode;
}

/** Called when a node's apid starts or stops answering (the endpoint's listener follows it). */
export type ApiStateListener = (node: SimNode, up: boolean) => void;

/** What Talos's side tells the simulated Kubernetes (sim/kube): the sequences' pod and drain steps. */
export interface KubeHooks {
  /** A node's services or stage changed. */
  nodeChanged(node: SimNode): void;
  /** The StopAllPods task (graceful: the kubelet's node shutdown) or the machine going down at once. */
  podsStopped(node: SimNode, graceful: boolean): void;
  /** The upgrade sequence's drain: evict what a drain evicts, respecting disruption budgets. */
  drain(node: SimNode): Promise<void>;
  /** A node's faults changed (pdb-block). */
  faultsChanged(node: SimNode): void;
  /** MachineService.Kubeconfig's bytes: a .tar.gz with an admin kubeconfig for the cluster. */
  kubeconfig(cluster: SimCluster): Promise<Buffer>;
}

/** One line of a flooding service: kubelet JSON with a counter `n`, so readers can check for gaps and repeats. */
export function floodLine(ms: number, n: number, hostname: string): string {
  return `{"ts":${ms}.4713,"caller":"kubelet/pod_workers.go:1301","msg":"Processing pod event","v":0,"n":${n},"pod":"kube-system/flood-${hostname}"}`;
}

export class SimFleet {
  readonly spec: FleetSpec;
  readonly clock: SimClock;
  readonly registry: ImageRegistry;
  readonly clusters: SimCluster[];
  readonly nodes: SimNode[];
  private readonly byKey = new Map<string, SimNode>();
  private readonly clusterOf = new Map<SimNode, SimCluster>();
  private apiListeners = new Set<ApiStateListener>();
  /** The simulated Kubernetes, when the simulator serves it. */
  kube: KubeHooks | null = null;
  /** Timers the fleet owns (flapping services); cleared on stop. */
  readonly timers = new Set<NodeJS.Timeout>();
  stopped = false;

  constructor(spec: FleetSpec, clock: SimClock, registry: ImageRegistry) {
    this.spec = spec;
    this.clock = clock;
    this.registry = registry;
    const now = Date.now();
    const env = { clock, seed: spec.seed, onChange: (n: SimNode) => this.kube?.nodeChanged(n) };
    this.nodes = [];
    this.clusters = spec.clusters.map((c) => {
      const nodes = c.nodes.map((n) => new SimNode(n, env, now));
      const endpoint = nodes[0];
      if (!endpoint) throw new Error(`cluster ${c.name} has no nodes`);
      const cluster = { spec: c, nodes, endpoint };
      for (const n of nodes) {
        this.nodes.push(n);
        this.byKey.set(n.address, n);
        this.byKey.set(n.hostname, n);
        this.clusterOf.set(n, cluster);
      }
      return cluster;
    });
  }

  /** A node by address or hostname. */
  find(key: string): SimNode | undefined {
    return this.byKey.get(key.trim());
  }

  cluster(node: SimNode): SimCluster {
    const c = this.clusterOf.get(node);
    if (!c) throw new Error(`node ${node.hostname} belongs to no cluster`);
    return c;
  }

  onApiState(fn: ApiStateListener): () => void {
    this.apiListeners.add(fn);
    return () => this.apiListeners.delete(fn);
  }

  setApi(node: SimNode, up: boolean): void {
    if (up) node.apiUp = true;
    else node.goDown("reboot");
    for (const l of this.apiListeners) l(node, up);
  }

  setFault(node: SimNode, body: Record<string, unknown>): NodeFaults {
    const before = this.serviceStates(node);
    node.faults = applyFault(node.faults, body);
    this.afterFaultChange(node);
    this.kube?.faultsChanged(node);
    this.announceServiceChanges(node, before);
    return node.faults;
  }

  clearFault(node: SimNode, kind?: string, service?: string): NodeFaults {
    const before = this.serviceStates(node);
    node.faults = clearFault(node.faults, kind, service);
    if (!node.faults.kubeNeverReady) node.kubeBlocked = false;
    if (!node.faults.crashLoop) node.podsCrash = false;
    this.afterFaultChange(node);
    this.kube?.faultsChanged(node);
    this.announceServiceChanges(node, before);
    return node.faults;
  }

  private serviceStates(node: SimNode): Map<string, string> {
    return new Map(
      node.serviceDefs().map((d) => {
        const v = node.service(d);
        return [d.id, `${v.state}/${v.health.healthy}`];
      }),
    );
  }

  /** Talos sends a ServiceStateEvent whenever a service changes state or health: so does a fault. */
  private announceServiceChanges(node: SimNode, before: Map<string, string>): void {
    if (!node.apiUp) return;
    for (const def of node.serviceDefs()) {
      if (node.faults.services?.[def.id]?.mode === "flapping") continue; // its ticks announce themselves
      const v = node.service(def);
      if (before.get(def.id) === `${v.state}/${v.health.healthy}`) continue;
      const last = v.events.at(-1)?.msg ?? v.health.lastMessage;
      node.emitServiceState(def.id, v.state, last, v.health);
    }
  }

  private afterFaultChange(node: SimNode): void {
    if ((node.faults.unreachable || node.faults.left) && node.apiUp) node.goDown("unreachable");
    this.startFlapping(node);
    this.startFlood(node);
    node.refreshStatus();
  }

  private floodTimers = new Map<SimNode, NodeJS.Timeout>();

  /** A log-flood fault: the service writes numbered kubelet-style JSON lines at the given rate while apid is up. */
  private startFlood(node: SimNode): void {
    const old = this.floodTimers.get(node);
    if (old) {
      clearInterval(old);
      this.timers.delete(old);
      this.floodTimers.delete(node);
    }
    const flood = node.faults.logFlood;
    if (!flood) return;
    const tickMs = 10;
    let n = 0;
    let owed = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      // at most 100 ms owed: a simulator that cannot keep up writes slower instead of piling up
      owed = Math.min(owed + ((now - last) * flood.linesPerSecond) / 1000, flood.linesPerSecond / 10);
      last = now;
      const count = Math.floor(owed);
      owed -= count;
      if (count === 0 || !node.apiUp) return;
      const lines = new Array<{ t: number; text: string }>(count);
      for (let i = 0; i < count; i++) {
        lines[i] = { t: now, text: floodLine(now, n++, node.hostname) };
      }
      node.appendLogLines(flood.log, lines);
    }, tickMs);
    timer.unref();
    this.timers.add(timer);
    this.floodTimers.set(node, timer);
  }

  private flapTimers = new Map<SimNode, NodeJS.Timeout>();

  /** A flapping service alternates between Running and Failed, with ServiceStateEvents each time. */
  private startFlapping(node: SimNode): void {
    const old = this.flapTimers.get(node);
    if (old) {
      clearInterval(old);
      this.timers.delete(old);
      this.flapTimers.delete(node);
    }
    const flapping = Object.entries(node.faults.services ?? {}).filter(([, f]) => f.mode === "flapping");
    for (const [id] of Object.entries(node.faults.services ?? {})) {
      if (!flapping.some(([f]) => f === id)) node.setServiceOverride(id, null);
    }
    if (flapping.length === 0) return;
    const period = flapping[0]?.[1].periodMs ?? 10_000;
    let up = false;
    const tick = () => {
      up = !up;
      for (const [id] of flapping) {
        const def = node.serviceDefs().find((d) => d.id === id);
        if (!def || !node.apiUp) continue;
        const now = new Date();
        const previous = node.service(def).events;
        if (up) {
          node.setServiceOverride(id, {
            state: "Running",
            health: { unknown: !def.checked, healthy: def.checked, lastMessage: "", lastChange: now },
            events: [
              ...previous,
              {
                msg: `Started task ${id} (PID ${4000 + (now.getTime() % 1000)}) for container ${id}`,
                state: "Running",
                ts: now,
              },
            ],
          });
          node.emitServiceState(id, "Running", `Started task ${id} for container ${id}`);
          node.appendLog(
            "machined",
            machinedLine(Date.now(), `service[${id}](Running): Started task ${id} for container ${id}`),
          );
        } else {
          const msg = "Failed to run service: exit status 1";
          node.setServiceOverride(id, {
            state: "Failed",
            health: { unknown: false, healthy: false, lastMessage: msg, lastChange: now },
            events: [...previous, { msg, state: "Failed", ts: now }],
          });
          node.emitServiceState(id, "Failed", msg);
          node.appendLog("machined", machinedLine(Date.now(), `service[${id}](Failed): ${msg}`));
        }
      }
      node.refreshStatus();
    };
    tick();
    const timer = setInterval(tick, this.clock.real(period));
    timer.unref();
    this.timers.add(timer);
    this.flapTimers.set(node, timer);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }
}
