// One simulated cluster's Kubernetes: its store and the controllers that keep it moving (kubelet status,
// node lifecycle, ReplicaSet, StatefulSet, DaemonSet, mirror pods, scheduler, disruption controller).
import type { SimCluster, SimFleet } from "../fleet";
import { stableUuid } from "../ids";
import type { SimNode } from "../node";
import { type Rng, rng } from "../rng";
import { MachineStage } from "../wire";
import { liveDisruptedPods, pdbCounts, pdbPods } from "./disruption";
import {
  KUBELET_READY_DELAY_MS,
  kubeletReady,
  kubeletRunning,
  managedTaints,
  NODE_STATUS_REPORT_MS,
  nodeMonitorGracePeriodMs,
  PRESSURE,
  TAINT_UNSCHEDULABLE,
  unknownConditions,
} from "./node-status";
import {
  type Condition,
  controllerOf,
  isMirrorPod,
  type KubeObject,
  keyOf,
  kubeTime,
  nodeReadyCondition,
  objectKey,
  podReady,
  type Taint,
  type Toleration,
  tolerates,
} from "./objects";
import { labelSelectorMatches } from "./selectors";
import { type Resource, Store } from "./store";
import {
  DEFAULT_TOLERATIONS,
  debugShellTemplate,
  type Ids,
  KUBE_SYSTEM,
  kubeNodeName,
  meta,
  nodeObject,
  ownerOf,
  type PodTemplate,
  randString,
  SHOP,
  VAULT_NS,
  vaultObjects,
  workloadObjects,
} from "./workloads";

/** Talos's annotation on a node it cordoned itself (constants.AnnotationCordonedKey). */
export const TALOS_CORDONED = "talos.dev/cordoned";
/** Simulated time a container takes from scheduling to running. */
const CONTAINER_START_MS = 3_000;
/**
 * The kubelet's restart back-off for a crashing container: 10 s, doubling, at most 5 min
 * (kubernetes pkg/kubelet/kubelet.go: backOffPeriod 10 s, MaxContainerBackOff 300 s).
 */
const CRASH_BACKOFF_MS = 10_000;
const CRASH_BACKOFF_MAX_MS = 300_000;
/** Simulated time a container takes to exit after SIGTERM (capped by the grace period). */
const CONTAINER_STOP_MS = 2_000;
const MIRROR_COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
/** What the kubelet's node shutdown manager writes on the pods it terminates (nodeshutdown_manager_linux.go). */
const SHUTDOWN_MESSAGE = "Pod was terminated in response to imminent node shutdown.";

/**
 * pending: not bound; creating: bound, containers starting; running; stopped: containers gone without the
 * kubelet saying so (machine down), restarted in place when the kubelet is back; failed: terminated by the
 * kubelet's graceful node shutdown (phase Failed), never restarted.
 */
type PodState = "pending" | "creating" | "running" | "crashloop" | "stopped" | "failed";

interface PodRt {
  state: PodState;
  startAt: number;
  scheduledMs: number;
  runningSince: number;
  restarts: number;
  lastTerminated?: { startedAt: string; finishedAt: string };
  terminateAt: number;
  readyKey: string;
  readySince: number;
  renderKey?: string;
  ip: string;
  unschedulableMessage?: string;
  /** In CrashLoopBackOff: when the kubelet starts the container again, and the back-off it waits. */
  backoffUntil?: number;
  backoffMs?: number;
}

interface NodeRt {
  node: SimNode;
  name: string;
  index: number;
  upSince: number | null;
  lastPost: number;
  lastReport: number;
  reportedKey: string;
  notReadySince: number | null;
}

export interface KillRecord {
  pod: string;
  node: string;
  at: string;
}

export interface ViolationRecord {
  pdb: string;
  pod: string;
  node: string;
  currentHealthy: number;
  desiredHealthy: number;
  at: string;
}

export interface ClusterKubeStats {
  evictionsAccepted: number;
  evictionsRefused: number;
  podsKilledByReboot: number;
  killedPods: KillRecord[];
  pdbViolations: number;
  violations: ViolationRecord[];
  /** Requests per authenticated user (the client certificate's CN). */
  requestsByUser: Record<string, number>;
}

const RECORDS_KEPT = 200;

export class KubeCluster {
  readonly store: Store;
  readonly stats: ClusterKubeStats = {
    evictionsAccepted: 0,
    evictionsRefused: 0,
    podsKilledByReboot: 0,
    killedPods: [],
    pdbViolations: 0,
    violations: [],
    requestsByUser: {},
  };
  private readonly nodes: NodeRt[];
  private readonly byName = new Map<string, NodeRt>();
  private readonly pods = new Map<string, PodRt>();
  private readonly disrupted = new Map<string, Map<string, number>>();
  private readonly transitions = new Map<string, { v: string; ms: number }>();
  private readonly names: Rng;
  private readonly ids: Ids;
  private readonly createdMs: number;
  private readonly graceMs: number;
  /** The next reconcile something time-based needs (a grace period, a container start…). */
  private timer: NodeJS.Timeout | null = null;
  private dueAt = Number.POSITIVE_INFINITY;
  private kicked = false;
  private ipCounter = 10;
  private initial = true;
  stopped = false;

  constructor(
    private readonly fleet: SimFleet,
    readonly cluster: SimCluster,
  ) {
    const seed = fleet.spec.seed;
    const ci = cluster.spec.index;
    let n = 0;
    this.ids = { uid: (what) => stableUuid(`${seed}/kube/${ci}/${what}/${n++}`) };
    this.names = rng(seed, "kube-names", ci);
    this.createdMs = Math.min(...cluster.nodes.map((x) => x.bootTimeMs)) - 3 * 24 * 3_600_000;
    this.graceMs = nodeMonitorGracePeriodMs(cluster.spec.kubernetesVersion);
    this.store = new Store(1000 + rng(seed, "kube-rv", ci).int(0, 50_000));
    this.nodes = cluster.nodes.map((node, index) => {
      const rt: NodeRt = {
        node,
        name: kubeNodeName(node),
        index,
        upSince: null,
        lastPost: Date.now(),
        lastReport: 0,
        reportedKey: "",
        notReadySince: null,
      };
      this.byName.set(rt.name, rt);
      return rt;
    });
    this.build();
  }

  real(simMs: number): number {
    return this.fleet.clock.real(simMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs the controllers soon (after the current request), once however often it is asked. */
  kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.reconcile();
    });
  }

  // ---- build ----------------------------------------------------------------------------------

  private build(): void {
    const created = this.createdMs;
    for (const rt of this.nodes) {
      const obj = nodeObject(this.ids, rt.node, rt.index, created);
      if (kubeletRunning(rt.node)) rt.upSince = rt.node.bootTimeMs;
      this.store.put("nodes", obj);
    }
    const { objects, bare } = workloadObjects(this.ids, this.cluster, this.names, created);
    for (const { resource, object } of objects) this.store.put(resource as Resource, object);
    this.syncNodes(Date.now());
    this.controllers();
    if (bare) {
      const onCp = this.cluster.nodes.every((n) => n.isControlPlane);
      this.createPod("debug-shell", SHOP, debugShellTemplate(onCp), undefined);
    }
    this.syncVault();
    // twice: pods the first pass schedules start running (since long ago) in the second
    this.reconcile();
    this.reconcile();
    this.initial = false;
    this.store.compact();
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Milliseconds since `value` last changed for `key` (transition times that stay put between renders). */
  private since(key: string, value: string, initialMs?: number): number {
    const t = this.transitions.get(key);
    if (t && t.v === value) return t.ms;
    const ms = t || initialMs === undefined ? Date.now() : initialMs;
    this.transitions.set(key, { v: value, ms });
    return ms;
  }

  private podsOf(filter: (p: KubeObject) => boolean): KubeObject[] {
    return this.store.list("pods").filter(filter);
  }

  nodeRt(name: string): NodeRt | undefined {
    return this.byName.get(name);
  }

  nodeName(node: SimNode): string {
    return kubeNodeName(node);
  }

  private nodeObj(name: string): KubeObject | undefined {
    return this.store.get("nodes", name);
  }

  private nodeIsReady(name: string | undefined): boolean {
    if (!name) return false;
    const n = this.nodeObj(name);
    return n ? nodeReadyCondition(n)?.status === "True" : false;
  }

  private kubeletUp(name: string | undefined): boolean {
    const rt = name ? this.byName.get(name) : undefined;
    return rt ? rt.upSince !== null : false;
  }

  // ---- pods -----------------------------------------------------------------------------------

  createPod(
    name: string,
    namespace: string,
    template: PodTemplate,
    owner: KubeObject | undefined,
    opts: { nodeName?: string; annotations?: Record<string, string>; generateName?: string } = {},
  ): KubeObject {
    const now = this.initial ? this.createdMs : Date.now();
    const tolerations: Toleration[] = [...(template.spec.tolerations ?? [])];
    for (const t of DEFAULT_TOLERATIONS) {
      if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
    }
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: meta(this.ids, name, namespace, now, {
        ...(opts.generateName ? { generateName: opts.generateName } : {}),
        labels: { ...template.labels },
        ...(opts.annotations ? { annotations: opts.annotations } : {}),
        ...(owner ? { ownerReferences: [ownerOf(owner)] } : {}),
      }),
      spec: {
        ...structuredClone(template.spec),
        tolerations,
        ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      },
      status: { phase: "Pending", qosClass: "Burstable" },
    };
    const stored = this.store.put("pods", pod);
    const rt = newPodRt(now);
    this.pods.set(stored.metadata.uid, rt);
    if (opts.nodeName) this.bind(stored, opts.nodeName, now);
    return stored;
  }

  private rtOf(pod: KubeObject): PodRt {
    let rt = this.pods.get(pod.metadata.uid);
    if (!rt) {
      rt = newPodRt(Date.now());
      this.pods.set(pod.metadata.uid, rt);
    }
    return rt;
  }

  private bind(pod: KubeObject, nodeName: string, now: number): void {
    const rt = this.rtOf(pod);
    const node = this.byName.get(nodeName);
    rt.scheduledMs = now;
    rt.state = "creating";
    rt.startAt = this.initial ? 0 : now + this.real(CONTAINER_START_MS);
    rt.ip = pod.spec?.hostNetwork
      ? (node?.node.address ?? "")
      : `10.244.${node?.index ?? 0}.${(this.ipCounter++ % 250) + 2}`;
    if (!pod.spec?.nodeName)
      this.store.update("pods", keyOf(pod), (d) => {
        d.spec.nodeName = nodeName;
      });
  }

  /** Marks a pod for deletion as the API server does (deletionTimestamp, grace); the kubelet finishes it. */
  markDeleted(
    pod: KubeObject,
    graceSeconds: number | undefined,
    disruption?: { reason: string; message: string },
  ): KubeObject | undefined {
    const key = keyOf(pod);
    const grace = graceSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const rt = this.rtOf(pod);
    // the registry deletes unscheduled and terminal pods at once (no kubelet to confirm)
    if (grace <= 0 || !pod.spec?.nodeName || rt.state === "pending" || rt.state === "failed") {
      this.pods.delete(pod.metadata.uid);
      return this.store.remove("pods", key);
    }
    if (pod.metadata.deletionTimestamp) return pod;
    const now = Date.now();
    rt.terminateAt = now + this.real(Math.min(grace * 1000, CONTAINER_STOP_MS));
    const out = this.store.update("pods", key, (d) => {
      d.metadata.deletionTimestamp = kubeTime(now + this.real(grace * 1000));
      d.metadata.deletionGracePeriodSeconds = grace;
      if (disruption) {
        const conds = (d.status.conditions ?? []) as Condition[];
        d.status.conditions = [
          ...conds.filter((c) => c.type !== "DisruptionTarget"),
          {
            type: "DisruptionTarget",
            status: "True",
            lastProbeTime: null,
            lastTransitionTime: kubeTime(now),
            ...disruption,
          },
        ];
      }
    });
    this.kick();
    return out;
  }

  // ---- reconcile ------------------------------------------------------------------------------

  reconcile(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.syncNodes(now);
    this.taintEviction(now);
    this.podLifecycle(now);
    this.controllers();
    this.schedule(now);
    this.renderPods(now);
    this.workloadStatus();
    this.pdbStatus(now);
    this.scheduleNext(now);
  }

  /**
   * Event-driven: requests and Talos-side changes kick a reconcile; between them only what waits on time
   * (a silent kubelet's grace period, the kubelet's 5-minute report, container starts and stops, the
   * NoExecute toleration, approved disruptions expiring) sets a timer, plus a slow safety tick.
   */
  private scheduleNext(now: number): void {
    let due = now + Math.max(200, this.real(60_000));
    const at = (ms: number) => {
      if (ms > now && ms < due) due = ms;
    };
    for (const rt of this.nodes) {
      if (rt.upSince === null) at(rt.lastPost + this.real(this.graceMs) + 1);
      else {
        at(rt.upSince + this.real(KUBELET_READY_DELAY_MS) + 1);
        at(rt.lastReport + this.real(NODE_STATUS_REPORT_MS) + 1);
      }
      if (rt.notReadySince !== null) at(rt.notReadySince + this.real(300_000) + 1);
    }
    for (const pod of this.store.list("pods")) {
      const rt = this.pods.get(pod.metadata.uid);
      if (!rt) continue;
      if (pod.metadata.deletionTimestamp) at(rt.terminateAt + 1);
      else if (rt.state === "creating") at(rt.startAt + 1);
      else if (rt.state === "crashloop") at((rt.backoffUntil ?? now) + 1);
    }
    for (const m of this.disrupted.values()) for (const t of m.values()) at(t + this.real(120_000) + 1);
    if (due >= this.dueAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.dueAt = Number.POSITIVE_INFINITY;
        this.reconcile();
      },
      Math.max(1, due - now),
    );
    this.timer.unref();
  }

  private syncNodes(now: number): void {
    const nowIso = kubeTime(now);
    for (const rt of this.nodes) {
      const n = rt.node;
      const running = kubeletRunning(n);
      if (running) {
        if (rt.upSince === null) rt.upSince = now;
        rt.lastPost = now;
      } else rt.upSince = null;
      const obj = this.nodeObj(rt.name);
      if (!obj) continue;
      const prev = (obj.status?.conditions ?? []) as Condition[];
      let conditions: Condition[] = prev;
      if (running) {
        const r = kubeletReady(n, now - (rt.upSince ?? now), this.real(KUBELET_READY_DELAY_MS));
        const key = `${r.status}|${r.reason}|${r.message}`;
        const changed =
          key !== rt.reportedKey || prev.some((c) => c.status === "Unknown") || prev.length === 0;
        if (changed || now - rt.lastReport >= this.real(NODE_STATUS_REPORT_MS)) {
          rt.reportedKey = key;
          rt.lastReport = now;
          const hb = this.initial ? kubeTime(n.bootTimeMs + 30_000) : nowIso;
          const t = (type: string, status: string) => {
            const p = prev.find((c) => c.type === type);
            return p && p.status === status ? (p.lastTransitionTime ?? hb) : hb;
          };
          conditions = [
            ...PRESSURE.map((p) => ({
              type: p.type,
              status: "False" as const,
              lastHeartbeatTime: hb,
              lastTransitionTime: t(p.type, "False"),
              reason: p.reason,
              message: p.message,
            })),
            {
              type: "Ready",
              status: r.status,
              lastHeartbeatTime: hb,
              lastTransitionTime: t("Ready", r.status),
              reason: r.reason,
              message: r.message,
            },
          ];
        }
      } else if (now - rt.lastPost >= this.real(this.graceMs) && prev.some((c) => c.status !== "Unknown")) {
        conditions = unknownConditions(prev, nowIso);
        rt.reportedKey = "";
      }
      const ready = conditions.find((c) => c.type === "Ready")?.status;
      if (ready === "True") rt.notReadySince = null;
      else rt.notReadySince ??= now;
      // Talos's NodeCordonedSpec + NodeApply controllers: cordon while upgrading, shutting down or resetting;
      // undo only a cordon of their own (annotation talos.dev/cordoned) once the node boots or runs.
      const stage = n.stage;
      const talosCordon =
        stage === MachineStage.UPGRADING ||
        stage === MachineStage.SHUTTING_DOWN ||
        stage === MachineStage.RESETTING;
      const talosUncordon = (stage === MachineStage.BOOTING || stage === MachineStage.RUNNING) && running;
      // the common case, nothing to write, is decided without copying the object
      const info = obj.status?.nodeInfo ?? {};
      const cordonFlip =
        (talosCordon && !obj.spec?.unschedulable) ||
        (talosUncordon &&
          obj.spec?.unschedulable &&
          obj.metadata.annotations?.[TALOS_CORDONED] !== undefined);
      const unchanged =
        !cordonFlip &&
        conditions === prev &&
        info.bootID === n.bootId &&
        info.osImage === `Talos (${n.talosVersion})` &&
        info.kubeletVersion === n.kubernetesVersion &&
        info.kernelVersion === n.release.kernel &&
        JSON.stringify(managedTaints(obj.spec?.taints, ready, !!obj.spec?.unschedulable, nowIso)) ===
          JSON.stringify(obj.spec?.taints ?? []);
      if (unchanged) continue;
      this.store.update("nodes", rt.name, (d) => {
        d.status.conditions = conditions;
        d.status.nodeInfo.bootID = n.bootId;
        d.status.nodeInfo.osImage = `Talos (${n.talosVersion})`;
        d.status.nodeInfo.kubeletVersion = n.kubernetesVersion;
        d.status.nodeInfo.kubeProxyVersion = n.kubernetesVersion;
        d.status.nodeInfo.kernelVersion = n.release.kernel;
        if (talosCordon && !d.spec.unschedulable) {
          d.spec.unschedulable = true;
          d.metadata.annotations = { ...d.metadata.annotations, [TALOS_CORDONED]: "true" };
        } else if (
          talosUncordon &&
          d.spec.unschedulable &&
          d.metadata.annotations?.[TALOS_CORDONED] !== undefined
        ) {
          delete d.spec.unschedulable;
          delete d.metadata.annotations[TALOS_CORDONED];
        }
        const taints = managedTaints(d.spec.taints, ready, !!d.spec.unschedulable, nowIso);
        if (taints.length > 0) d.spec.taints = taints;
        else delete d.spec.taints;
      });
    }
  }

  /** The taint eviction controller: pods not tolerating a node's NoExecute taint (long enough) are deleted. */
  private taintEviction(now: number): void {
    for (const rt of this.nodes) {
      const node = this.nodeObj(rt.name);
      const taints = ((node?.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === "NoExecute");
      if (taints.length === 0) continue;
      for (const pod of this.podsOf((p) => p.spec?.nodeName === rt.name && !p.metadata.deletionTimestamp)) {
        for (const taint of taints) {
          const tols = ((pod.spec?.tolerations ?? []) as Toleration[]).filter((t) => tolerates([t], taint));
          let due: boolean;
          if (tols.length === 0) due = true;
          else if (tols.some((t) => t.tolerationSeconds === undefined)) due = false;
          else {
            const secs = Math.min(...tols.map((t) => t.tolerationSeconds ?? 0));
            const added = rt.notReadySince ?? now;
            due = now - added >= this.real(secs * 1000);
          }
          if (due) {
            this.markDeleted(pod, undefined, {
              reason: "DeletionByTaintManager",
              message: "Taint manager: deleting due to NoExecute taint",
            });
            break;
          }
        }
      }
    }
  }

  private podLifecycle(now: number): void {
    for (const pod of this.store.list("pods")) {
      const rt = this.rtOf(pod);
      const nodeName = pod.spec?.nodeName as string | undefined;
      const up = this.kubeletUp(nodeName);
      if (pod.metadata.deletionTimestamp) {
        if (!nodeName || (up && now >= rt.terminateAt)) {
          this.store.remove("pods", keyOf(pod));
          this.pods.delete(pod.metadata.uid);
        }
        continue;
      }
      if (!nodeName || !up) continue;
      const nrt = this.byName.get(nodeName);
      const kubeletSettled =
        nrt?.upSince !== null && now - (nrt?.upSince ?? now) >= this.real(KUBELET_READY_DELAY_MS);
      if (rt.state === "stopped" && kubeletSettled) {
        rt.state = "creating";
        rt.restarts++;
        rt.startAt = now + this.real(CONTAINER_START_MS);
      }
      if (rt.state === "crashloop" && now >= (rt.backoffUntil ?? 0) && kubeletSettled) {
        // The back-off is over: the kubelet starts the container again.
        rt.state = "creating";
        rt.restarts++;
        rt.startAt = now;
      }
      if (
        rt.state === "creating" &&
        now >= rt.startAt &&
        !this.initial &&
        nrt?.node.podsCrash &&
        !isMirrorPod(pod)
      ) {
        // The container exits at once with an error; the kubelet backs off before the next start.
        rt.backoffMs = rt.backoffMs ? Math.min(rt.backoffMs * 2, CRASH_BACKOFF_MAX_MS) : CRASH_BACKOFF_MS;
        rt.backoffUntil = now + this.real(rt.backoffMs);
        rt.lastTerminated = { startedAt: kubeTime(now), finishedAt: kubeTime(now) };
        rt.state = "crashloop";
      }
      if (rt.state === "creating" && now >= rt.startAt && (kubeletSettled || this.initial)) {
        rt.backoffMs = undefined;
        rt.state = "running";
        rt.runningSince = this.initial
          ? pod.metadata.creationTimestamp
            ? Date.parse(pod.metadata.creationTimestamp) + 20_000
            : now
          : now;
      }
    }
  }

  // ---- controllers ----------------------------------------------------------------------------

  private templateOf(o: KubeObject): PodTemplate {
    return { labels: o.spec.template.metadata.labels, spec: o.spec.template.spec };
  }

  private owned(o: KubeObject): KubeObject[] {
    return this.podsOf((p) => controllerOf(p)?.uid === o.metadata.uid);
  }

  private controllers(): void {
    // ReplicaSets: active pods (not being deleted) up to spec.replicas, new names each time
    for (const rs of this.store.list("replicasets")) {
      const active = this.owned(rs).filter(
        (p) => !p.metadata.deletionTimestamp && this.rtOf(p).state !== "failed",
      );
      for (let i = active.length; i < (rs.spec.replicas ?? 1); i++) {
        const name = `${rs.metadata.name}-${randString(this.names, 5)}`;
        this.createPod(name, rs.metadata.namespace ?? "default", this.templateOf(rs), rs, {
          generateName: `${rs.metadata.name}-`,
        });
      }
    }
    // StatefulSets: pod <name>-<ordinal>, same name again once the old one is gone
    for (const sts of this.store.list("statefulsets")) {
      const ns = sts.metadata.namespace ?? "default";
      const ordered = sts.spec.podManagementPolicy !== "Parallel";
      for (let i = 0; i < (sts.spec.replicas ?? 1); i++) {
        const name = `${sts.metadata.name}-${i}`;
        let existing = this.store.get("pods", objectKey(ns, name));
        // a failed replica is deleted and created again under the same name
        if (existing && this.rtOf(existing).state === "failed") {
          this.markDeleted(existing, 0);
          existing = undefined;
        }
        if (existing) {
          if (ordered && !podReady(existing) && !this.initial) break;
          continue;
        }
        const tmpl = this.templateOf(sts);
        this.createPod(
          name,
          ns,
          {
            labels: {
              ...tmpl.labels,
              "apps.kubernetes.io/pod-index": String(i),
              "controller-revision-hash": `${sts.metadata.name}-${this.hashOf(sts)}`,
              "statefulset.kubernetes.io/pod-name": name,
            },
            spec: { ...tmpl.spec, hostname: name, subdomain: sts.spec.serviceName },
          },
          sts,
        );
        if (ordered && !this.initial) break;
      }
    }
    // DaemonSets: one pod per node, bound directly; a node's pod being deleted is replaced once gone
    for (const ds of this.store.list("daemonsets")) {
      for (const p of this.owned(ds)) if (this.rtOf(p).state === "failed") this.markDeleted(p, 0);
      const pods = this.owned(ds);
      for (const rt of this.nodes) {
        if (pods.some((p) => p.spec?.nodeName === rt.name)) continue;
        const tmpl = this.templateOf(ds);
        const tolerations = [
          ...(tmpl.spec.tolerations ?? []),
          { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
          { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
          { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
          { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
          { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
          { key: TAINT_UNSCHEDULABLE, operator: "Exists", effect: "NoSchedule" },
          { key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" },
        ];
        const spec = {
          ...tmpl.spec,
          tolerations,
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: "metadata.name", operator: "In", values: [rt.name] }] },
                ],
              },
            },
          },
        };
        const labels = {
          ...tmpl.labels,
          "controller-revision-hash": this.hashOf(ds),
          "pod-template-generation": "1",
        };
        this.createPod(
          `${ds.metadata.name}-${randString(this.names, 5)}`,
          ds.metadata.namespace ?? KUBE_SYSTEM,
          { labels, spec },
          ds,
          {
            nodeName: rt.name,
            generateName: `${ds.metadata.name}-`,
          },
        );
      }
    }
    // Mirror pods: the kubelet of a control plane posts its static pods once it runs
    for (const rt of this.nodes) {
      if (!rt.node.isControlPlane || rt.upSince === null) continue;
      for (const c of MIRROR_COMPONENTS) {
        const name = `${c}-${rt.name}`;
        if (this.store.get("pods", objectKey(KUBE_SYSTEM, name))) continue;
        this.createMirrorPod(rt, c);
      }
    }
  }

  private hashOf(o: KubeObject): string {
    return stableUuid(`${o.metadata.uid}/hash`)
      .replace(/[^0-9a-f]/g, "")
      .slice(0, 10)
      .replace(/[0-9]/g, (d) => "bcdfghjklm"[Number(d)] ?? "b");
  }

  private createMirrorPod(rt: NodeRt, component: string): void {
    const node = this.nodeObj(rt.name);
    if (!node) return;
    const version = rt.node.kubernetesVersion;
    const hash = stableUuid(`${rt.name}/${component}/${version}`).replace(/-/g, "").slice(0, 32);
    const pod = this.createPod(
      `${component}-${rt.name}`,
      KUBE_SYSTEM,
      {
        labels: { "k8s-app": component, tier: "control-plane" },
        spec: {
          containers: [
            {
              name: component,
              image: `registry.k8s.io/${component}:${version}`,
              imagePullPolicy: "IfNotPresent",
              resources: { requests: { cpu: "50m", memory: "256Mi" } },
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
            },
          ],
          dnsPolicy: "ClusterFirst",
          enableServiceLinks: true,
          hostNetwork: true,
          nodeName: rt.name,
          preemptionPolicy: "PreemptLowerPriority",
          priority: 2000001000,
          priorityClassName: "system-node-critical",
          restartPolicy: "Always",
          schedulerName: "default-scheduler",
          securityContext: {},
          terminationGracePeriodSeconds: 30,
          tolerations: [{ operator: "Exists", effect: "NoExecute" }],
        },
      },
      undefined,
      {
        nodeName: rt.name,
        annotations: {
          "kubernetes.io/config.hash": hash,
          "kubernetes.io/config.mirror": hash,
          "kubernetes.io/config.seen": kubeTime(rt.node.bootTimeMs),
          "kubernetes.io/config.source": "file",
          "talos.dev/config-version": "1",
        },
      },
    );
    // a mirror pod's controller is its Node
    this.store.update("pods", keyOf(pod), (d) => {
      d.metadata.ownerReferences = [
        { apiVersion: "v1", kind: "Node", name: rt.name, uid: node.metadata.uid, controller: true },
      ];
    });
  }

  // ---- scheduler ------------------------------------------------------------------------------

  private schedule(now: number): void {
    const pending = this.podsOf((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp);
    if (pending.length === 0) return;
    for (const pod of pending) {
      const reasons = new Map<string, number>();
      const fits: string[] = [];
      for (const rt of this.nodes) {
        const why = this.unfit(pod, rt.name);
        if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
        else fits.push(rt.name);
      }
      const rt = this.rtOf(pod);
      if (fits.length === 0) {
        const n = this.nodes.length;
        const detail = [...reasons.entries()]
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([why, c]) => `${c} ${why}`)
          .join(", ");
        rt.unschedulableMessage = `0/${n} nodes are available: ${detail}. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;
        continue;
      }
      // spread: fewest pods of the same controller, then fewest pods, then name
      const owner = controllerOf(pod)?.uid;
      const score = (name: string) => {
        const on = this.podsOf((p) => p.spec?.nodeName === name && !p.metadata.deletionTimestamp);
        return [on.filter((p) => owner !== undefined && controllerOf(p)?.uid === owner).length, on.length];
      };
      fits.sort((a, b) => {
        const [sa, ta] = score(a);
        const [sb, tb] = score(b);
        return (sa ?? 0) - (sb ?? 0) || (ta ?? 0) - (tb ?? 0) || a.localeCompare(b);
      });
      const target = fits[0];
      if (!target) continue;
      rt.unschedulableMessage = undefined;
      this.bind(pod, target, now);
    }
  }

  /** Why a node cannot take a pod (the scheduler's filter plugins), or undefined when it can. */
  private unfit(pod: KubeObject, nodeName: string): string | undefined {
    const node = this.nodeObj(nodeName);
    if (!node) return "node(s) not found";
    const tolerations = (pod.spec?.tolerations ?? []) as Toleration[];
    if (
      node.spec?.unschedulable &&
      !tolerates(tolerations, { key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" })
    )
      return "node(s) were unschedulable";
    for (const t of (node.spec?.taints ?? []) as Taint[]) {
      if (t.effect === "PreferNoSchedule" || t.key === TAINT_UNSCHEDULABLE) continue;
      if (!tolerates(tolerations, t)) return `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
    }
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) {
      if (labels[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
    }
    const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms as
      | Array<{ matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }>
      | undefined;
    if (
      terms &&
      !terms.some((t) => labelSelectorMatches({ matchExpressions: t.matchExpressions ?? [] }, labels))
    )
      return "node(s) didn't match Pod's node affinity/selector";
    const anti = pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution as
      | Array<{ labelSelector: { matchLabels?: Record<string, string> }; topologyKey: string }>
      | undefined;
    for (const term of anti ?? []) {
      if (term.topologyKey !== "kubernetes.io/hostname") continue;
      const clash = this.podsOf(
        (p) =>
          p !== pod &&
          p.spec?.nodeName === nodeName &&
          p.metadata.namespace === pod.metadata.namespace &&
          labelSelectorMatches(term.labelSelector, p.metadata.labels),
      );
      if (clash.length > 0) return "node(s) didn't match pod anti-affinity rules";
    }
    return undefined;
  }

  // ---- pod status -----------------------------------------------------------------------------

  private renderPods(now: number): void {
    for (const pod of this.store.list("pods")) {
      const rt = this.rtOf(pod);
      // what the status depends on: unchanged, nothing to render
      const node = pod.spec?.nodeName as string | undefined;
      const key = `${rt.state}|${rt.restarts}|${node ?? ""}|${this.nodeIsReady(node)}|${rt.unschedulableMessage ?? ""}|${rt.state === "creating" && now >= rt.startAt}`;
      if (key === rt.renderKey) continue;
      rt.renderKey = key;
      const status = this.podStatus(pod, rt, now);
      const cur = ((pod.status?.conditions ?? []) as Condition[]).some((c) => c.type === "DisruptionTarget")
        ? {
            ...pod.status,
            conditions: (pod.status.conditions as Condition[]).filter((c) => c.type !== "DisruptionTarget"),
          }
        : pod.status;
      if (JSON.stringify(status) === JSON.stringify(cur)) continue;
      this.store.update("pods", keyOf(pod), (d) => {
        const disruption = ((d.status?.conditions ?? []) as Condition[]).filter(
          (c) => c.type === "DisruptionTarget",
        );
        d.status = status;
        if (disruption.length > 0) d.status.conditions = [...disruption, ...(d.status.conditions ?? [])];
      });
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: a PodStatus, served as JSON
  private podStatus(pod: KubeObject, rt: PodRt, now: number): any {
    const t = (ms: number) => kubeTime(ms);
    const containers = (pod.spec?.containers ?? []) as Array<{ name: string; image: string }>;
    const names = containers.map((c) => c.name).join(" ");
    const nodeName = pod.spec?.nodeName as string | undefined;
    if (!nodeName) {
      return {
        phase: "Pending",
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            lastProbeTime: null,
            lastTransitionTime: t(this.since(`${pod.metadata.uid}/sched`, "False")),
            reason: "Unschedulable",
            message: rt.unschedulableMessage ?? "0/0 nodes are available",
          },
        ],
        qosClass: "Burstable",
      };
    }
    const nrt = this.byName.get(nodeName);
    const hostIP = nrt?.node.address ?? "";
    const running = rt.state === "running";
    const containersReady = running;
    const ready = containersReady && this.nodeIsReady(nodeName);
    const readyStr = ready ? "True" : "False";
    const initialMs = rt.runningSince;
    const readyAt = this.since(`${pod.metadata.uid}/ready`, readyStr, this.initial ? initialMs : undefined);
    const crAt = this.since(
      `${pod.metadata.uid}/cready`,
      String(containersReady),
      this.initial ? initialMs : undefined,
    );
    const cid = (c: string) =>
      `containerd://${stableUuid(`${pod.metadata.uid}/${c}/${rt.restarts}`).replace(/-/g, "")}${stableUuid(`${c}/${pod.metadata.uid}`).replace(/-/g, "")}`;
    const statuses = containers.map((c) => {
      const base = {
        name: c.name,
        image: c.image,
        imageID: `${c.image.split(":")[0]}@sha256:${stableUuid(c.image).replace(/-/g, "")}${stableUuid(`${c.image}/2`).replace(/-/g, "")}`,
        restartCount: rt.restarts,
        ready: containersReady,
        started: running,
        lastState: rt.lastTerminated
          ? {
              terminated: {
                exitCode: 0,
                reason: "Completed",
                ...rt.lastTerminated,
                containerID: cid(`${c.name}-prev`),
              },
            }
          : {},
      };
      if (rt.state === "running")
        return { ...base, containerID: cid(c.name), state: { running: { startedAt: t(rt.runningSince) } } };
      if (rt.state === "stopped" && rt.lastTerminated)
        return {
          ...base,
          containerID: cid(c.name),
          lastState: {},
          state: {
            terminated: { exitCode: 0, reason: "Completed", ...rt.lastTerminated, containerID: cid(c.name) },
          },
        };
      if (rt.state === "crashloop")
        return {
          ...base,
          lastState: {
            terminated: {
              exitCode: 1,
              reason: "Error",
              ...rt.lastTerminated,
              containerID: cid(`${c.name}-prev`),
            },
          },
          state: {
            waiting: {
              reason: "CrashLoopBackOff",
              message: `back-off ${goDuration(rt.backoffMs ?? CRASH_BACKOFF_MS)} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
            },
          },
        };
      return { ...base, state: { waiting: { reason: "ContainerCreating" } } };
    });
    const cond = (type: string, status: boolean, at: number, why?: { reason: string; message: string }) => ({
      type,
      status: status ? "True" : "False",
      lastProbeTime: null,
      lastTransitionTime: t(at),
      ...(why && !status ? why : {}),
    });
    const notReady = { reason: "ContainersNotReady", message: `containers with unready status: [${names}]` };
    if (rt.state === "failed") {
      const at = Date.parse(rt.lastTerminated?.finishedAt ?? kubeTime(now));
      return {
        phase: "Failed",
        reason: "Terminated",
        message: SHUTDOWN_MESSAGE,
        conditions: [
          {
            type: "DisruptionTarget",
            status: "True",
            lastProbeTime: null,
            lastTransitionTime: t(at),
            reason: "TerminationByKubelet",
            message: SHUTDOWN_MESSAGE,
          },
          cond("PodReadyToStartContainers", false, at),
          cond("Initialized", true, rt.scheduledMs),
          cond("Ready", false, at, notReady),
          cond("ContainersReady", false, at, notReady),
          cond("PodScheduled", true, rt.scheduledMs),
        ],
        hostIP,
        hostIPs: [{ ip: hostIP }],
        startTime: t(rt.scheduledMs),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: `${c.image.split(":")[0]}@sha256:${stableUuid(c.image).replace(/-/g, "")}${stableUuid(`${c.image}/2`).replace(/-/g, "")}`,
          containerID: cid(c.name),
          restartCount: rt.restarts,
          ready: false,
          started: false,
          lastState: {},
          state: {
            terminated: { exitCode: 143, reason: "Error", ...rt.lastTerminated, containerID: cid(c.name) },
          },
        })),
        qosClass: "Burstable",
      };
    }
    const sandbox = rt.state !== "creating" || now >= rt.startAt;
    return {
      phase:
        rt.state === "running" || rt.state === "stopped" || rt.state === "crashloop" ? "Running" : "Pending",
      conditions: [
        cond(
          "PodReadyToStartContainers",
          sandbox && rt.state !== "stopped",
          this.since(
            `${pod.metadata.uid}/sandbox`,
            String(sandbox && rt.state !== "stopped"),
            this.initial ? initialMs : undefined,
          ),
        ),
        cond("Initialized", true, rt.scheduledMs),
        cond("Ready", ready, readyAt, notReady),
        cond("ContainersReady", containersReady, crAt, notReady),
        cond("PodScheduled", true, rt.scheduledMs),
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      ...(rt.ip && rt.state !== "creating" ? { podIP: rt.ip, podIPs: [{ ip: rt.ip }] } : {}),
      startTime: t(rt.scheduledMs),
      containerStatuses: statuses,
      qosClass: "Burstable",
    };
  }

  // ---- workload status ------------------------------------------------------------------------

  /** Writes a status only when it differs (no copy, no new revision otherwise). */
  // biome-ignore lint/suspicious/noExplicitAny: a status, served as JSON
  private setStatus(resource: Resource, o: KubeObject, status: any): void {
    if (JSON.stringify(o.status) === JSON.stringify(status)) return;
    this.store.update(resource, keyOf(o), (d) => {
      d.status = status;
    });
  }

  private workloadStatus(): void {
    const availableOf = (pods: KubeObject[]) => pods.filter((p) => podReady(p)).length;
    for (const rs of this.store.list("replicasets")) {
      const active = this.owned(rs).filter((p) => !p.metadata.deletionTimestamp);
      const ready = availableOf(active);
      this.setStatus("replicasets", rs, {
        replicas: active.length,
        fullyLabeledReplicas: active.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation ?? 1,
      });
    }
    for (const dep of this.store.list("deployments")) {
      const rs = this.store.list("replicasets").find((r) => controllerOf(r)?.uid === dep.metadata.uid);
      const s = rs?.status ?? {};
      const want = dep.spec.replicas ?? 1;
      const available = s.availableReplicas ?? 0;
      const maxUnavail = Math.floor(want * 0.25);
      const ok = available >= want - maxUnavail;
      const availAt = kubeTime(
        this.since(`${dep.metadata.uid}/available`, String(ok), this.createdMs + 30_000),
      );
      this.setStatus("deployments", dep, {
        observedGeneration: dep.metadata.generation ?? 1,
        replicas: s.replicas ?? 0,
        updatedReplicas: s.replicas ?? 0,
        readyReplicas: s.readyReplicas ?? 0,
        availableReplicas: available,
        ...(want - available > 0 ? { unavailableReplicas: want - available } : {}),
        conditions: [
          {
            type: "Available",
            status: ok ? "True" : "False",
            lastUpdateTime: availAt,
            lastTransitionTime: availAt,
            reason: ok ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            message: ok
              ? "Deployment has minimum availability."
              : "Deployment does not have minimum availability.",
          },
          {
            type: "Progressing",
            status: "True",
            lastUpdateTime: kubeTime(this.createdMs + 30_000),
            lastTransitionTime: kubeTime(this.createdMs),
            reason: "NewReplicaSetAvailable",
            message: `ReplicaSet "${rs?.metadata.name ?? dep.metadata.name}" has successfully progressed.`,
          },
        ],
      });
    }
    for (const sts of this.store.list("statefulsets")) {
      const pods = this.owned(sts);
      const ready = availableOf(pods);
      const rev = `${sts.metadata.name}-${this.hashOf(sts)}`;
      this.setStatus("statefulsets", sts, {
        observedGeneration: sts.metadata.generation ?? 1,
        replicas: pods.length,
        readyReplicas: ready,
        currentReplicas: pods.length,
        updatedReplicas: pods.length,
        availableReplicas: ready,
        currentRevision: rev,
        updateRevision: rev,
        collisionCount: 0,
      });
    }
    for (const ds of this.store.list("daemonsets")) {
      const pods = this.owned(ds).filter((p) => !p.metadata.deletionTimestamp);
      const desired = this.nodes.length;
      const ready = availableOf(pods);
      this.setStatus("daemonsets", ds, {
        currentNumberScheduled: new Set(pods.map((p) => p.spec?.nodeName)).size,
        numberMisscheduled: 0,
        desiredNumberScheduled: desired,
        numberReady: ready,
        observedGeneration: ds.metadata.generation ?? 1,
        updatedNumberScheduled: pods.length,
        numberAvailable: ready,
        ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
      });
    }
  }

  /** The scale the disruption controller finds for a pod's controller (Deployment via its ReplicaSet). */
  private scaleOf = (pod: KubeObject): { uid: string; scale: number } | undefined => {
    const ref = controllerOf(pod);
    if (!ref) return undefined;
    const ns = pod.metadata.namespace;
    if (ref.kind === "ReplicaSet") {
      const rs = this.store.get("replicasets", objectKey(ns, ref.name));
      if (!rs) return undefined;
      const depRef = controllerOf(rs);
      const dep =
        depRef?.kind === "Deployment" ? this.store.get("deployments", objectKey(ns, depRef.name)) : undefined;
      return dep
        ? { uid: dep.metadata.uid, scale: dep.spec.replicas ?? 1 }
        : { uid: rs.metadata.uid, scale: rs.spec.replicas ?? 1 };
    }
    if (ref.kind === "StatefulSet") {
      const sts = this.store.get("statefulsets", objectKey(ns, ref.name));
      return sts ? { uid: sts.metadata.uid, scale: sts.spec.replicas ?? 1 } : undefined;
    }
    return undefined;
  };

  pdbCounts(pdb: KubeObject, now: number = Date.now()) {
    const disrupted = this.disrupted.get(pdb.metadata.uid) ?? new Map<string, number>();
    return pdbCounts(pdb, this.store.list("pods"), this.scaleOf, disrupted, now, this.real(120_000));
  }

  private pdbStatus(now: number): void {
    const pods = this.store.list("pods");
    for (const pdb of this.store.list("poddisruptionbudgets")) {
      const disrupted = this.disrupted.get(pdb.metadata.uid);
      if (disrupted) liveDisruptedPods(disrupted, pdbPods(pdb, pods), now, this.real(120_000));
      const c = this.pdbCounts(pdb, now);
      this.writePdbStatus(pdb, c.currentHealthy, c.desiredHealthy, c.expectedPods, c.disruptionsAllowed);
    }
  }

  writePdbStatus(pdb: KubeObject, current: number, desired: number, expected: number, allowed: number): void {
    const disrupted = this.disrupted.get(pdb.metadata.uid);
    const ok = allowed > 0;
    const at = kubeTime(
      this.since(
        `${pdb.metadata.uid}/allowed`,
        String(ok),
        this.initial ? this.createdMs + 60_000 : undefined,
      ),
    );
    this.setStatus("poddisruptionbudgets", pdb, {
      ...(disrupted && disrupted.size > 0
        ? { disruptedPods: Object.fromEntries([...disrupted].map(([k, v]) => [k, kubeTime(v)])) }
        : {}),
      observedGeneration: pdb.metadata.generation ?? 1,
      disruptionsAllowed: allowed,
      currentHealthy: current,
      desiredHealthy: desired,
      expectedPods: expected,
      conditions: [
        {
          type: "DisruptionAllowed",
          status: ok ? "True" : "False",
          observedGeneration: pdb.metadata.generation ?? 1,
          lastTransitionTime: at,
          reason: ok ? "SufficientPods" : "InsufficientPods",
          message: "",
        },
      ],
    });
  }

  /** The eviction handler's decrement: one disruption used up by `podName` (DisruptedPods). */
  consumeDisruption(pdb: KubeObject, podName: string): void {
    let m = this.disrupted.get(pdb.metadata.uid);
    if (!m) {
      m = new Map();
      this.disrupted.set(pdb.metadata.uid, m);
    }
    m.set(podName, Date.now());
    const s = pdb.status ?? {};
    this.writePdbStatus(
      pdb,
      s.currentHealthy ?? 0,
      s.desiredHealthy ?? 0,
      s.expectedPods ?? 0,
      Math.max(0, (s.disruptionsAllowed ?? 0) - 1),
    );
  }

  // ---- Talos-side events ----------------------------------------------------------------------

  /**
   * A machine's pods stop. `graceful`: Talos's StopAllPods, which first shuts the kubelet down through its
   * graceful node shutdown (shutdownGracePeriod is set by Talos): the node reports NotReady "node is shutting
   * down" and every pod on it ends Failed/Terminated, so controllers replace theirs elsewhere (mirror pods
   * restart with the kubelet). Not graceful (the machine goes down at once): the Pod objects stay as they
   * were, their containers gone, and restart in place when the kubelet is back. Either way the workload pods
   * killed are recorded, and a budget whose healthy pods drop below desiredHealthy counts a violation.
   */
  podsStopped(node: SimNode, graceful: boolean): void {
    const name = kubeNodeName(node);
    const now = Date.now();
    this.renderPods(now);
    const before = new Map(
      this.store.list("poddisruptionbudgets").map((p) => [p.metadata.uid, this.pdbCounts(p, now)]),
    );
    const nrt = this.byName.get(name);
    if (graceful && nrt) {
      const nowIso = kubeTime(now);
      nrt.lastPost = now;
      nrt.reportedKey = "shutdown";
      this.store.update("nodes", name, (d) => {
        d.status.conditions = ((d.status.conditions ?? []) as Condition[]).map((c) =>
          c.type === "Ready"
            ? {
                ...c,
                status: "False",
                reason: "KubeletNotReady",
                message: "node is shutting down",
                lastHeartbeatTime: nowIso,
                lastTransitionTime: c.status === "False" ? c.lastTransitionTime : nowIso,
              }
            : { ...c, lastHeartbeatTime: nowIso },
        );
      });
    }
    const killed: KubeObject[] = [];
    for (const pod of this.podsOf((p) => p.spec?.nodeName === name && !p.metadata.deletionTimestamp)) {
      const rt = this.rtOf(pod);
      if (rt.state !== "running" && rt.state !== "creating") continue;
      if (rt.state === "running")
        rt.lastTerminated = { startedAt: kubeTime(rt.runningSince), finishedAt: kubeTime(now) };
      const mirror = isMirrorPod(pod);
      rt.state = graceful && !mirror ? "failed" : "stopped";
      if (!mirror && controllerOf(pod)?.kind !== "DaemonSet") killed.push(pod);
    }
    if (killed.length === 0) {
      this.reconcile();
      return;
    }
    this.renderPods(now);
    const at = kubeTime(now);
    for (const pod of killed) {
      this.stats.podsKilledByReboot++;
      this.stats.killedPods.push({ pod: keyOf(pod), node: name, at });
    }
    for (const pdb of this.store.list("poddisruptionbudgets")) {
      const b = before.get(pdb.metadata.uid);
      const a = this.pdbCounts(pdb, now);
      if (!b || a.currentHealthy >= b.currentHealthy || a.currentHealthy >= a.desiredHealthy) continue;
      const victims = killed.filter((p) => pdbPods(pdb, [p]).length > 0);
      this.stats.pdbViolations++;
      this.stats.violations.push({
        pdb: keyOf(pdb),
        pod: victims.map((p) => keyOf(p)).join(","),
        node: name,
        currentHealthy: a.currentHealthy,
        desiredHealthy: a.desiredHealthy,
        at,
      });
    }
    this.stats.killedPods = this.stats.killedPods.slice(-RECORDS_KEPT);
    this.stats.violations = this.stats.violations.slice(-RECORDS_KEPT);
    this.reconcile();
  }

  /** The vault StatefulSet and its budget follow the nodes carrying a `pdb-block` fault. */
  syncVault(): void {
    const blocked = this.nodes.filter((rt) => rt.node.faults.pdbBlock).map((rt) => rt.name);
    const sts = this.store.get("statefulsets", objectKey(VAULT_NS, "vault"));
    const current = (sts?.spec?.template?.spec?.affinity?.nodeAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]
      ?.values ?? []) as string[];
    if (current.join(",") === blocked.join(",")) return;
    if (sts) {
      this.store.remove("statefulsets", keyOf(sts));
      this.store.remove("poddisruptionbudgets", objectKey(VAULT_NS, "vault-pdb"));
      for (const p of this.owned(sts)) this.markDeleted(p, undefined);
    }
    if (blocked.length === 0) return;
    for (const { resource, object } of vaultObjects(this.ids, blocked, Date.now())) {
      if (resource === "namespaces" && this.store.get("namespaces", VAULT_NS)) continue;
      this.store.put(resource as Resource, object);
    }
    this.kick();
  }

  cordonedNodes(): string[] {
    return this.store
      .list("nodes")
      .filter((n) => n.spec?.unschedulable)
      .map((n) => n.metadata.name);
  }

  pendingPods(): string[] {
    return this.podsOf((p) => p.status?.phase === "Pending").map((p) => keyOf(p));
  }
}

/** A whole-second duration as Go's time.Duration prints it: "10s", "1m20s", "5m0s". */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/** A pod's runtime state as it is created: pending, nothing started yet. */
function newPodRt(now: number): PodRt {
  return {
    state: "pending",
    startAt: 0,
    scheduledMs: now,
    runningSince: now,
    restarts: 0,
    terminateAt: 0,
    readyKey: "",
    readySince: now,
    ip: "",
  };
}
