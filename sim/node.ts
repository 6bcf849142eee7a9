// One simulated Talos node: identity, boot, stage and readiness, services, event ring and log buffers.
import { bootScript } from "./boot-script";
import { releaseOf } from "./catalog";
import type { SimClock } from "./clock";
import { EventRing } from "./event-ring";
import type { NodeFaults } from "./faults";
import type { NodeSpec } from "./fleet-spec";
import { stableUuid, xid, xidAt } from "./ids";
import type { LogLine } from "./log-sources";
import {
  healthyData,
  type ServiceDef,
  type ServiceEventData,
  serviceDefs,
  startupServiceEvents,
  unhealthyMessage,
} from "./services";
import type { UpgradeCall } from "./upgrade-calls";
import {
  type EventPayload,
  MachineStage,
  type ServiceHealthData,
  ServiceStateAction,
  type ServiceStateName,
  type SimEvent,
  type UnmetCondition,
} from "./wire";

export interface ServiceView {
  id: string;
  state: ServiceStateName;
  health: ServiceHealthData;
  events: ServiceEventData[];
}

interface ServiceOverride {
  state: ServiceStateName;
  health: ServiceHealthData;
  events: ServiceEventData[];
}

/** Why a node stops answering: it tells the gRPC layer what error in-flight streams get. */
export type DownReason = "reboot" | "unreachable";

export interface NodeEnv {
  clock: SimClock;
  seed: string;
  /** Told whenever the node's status is refreshed (the simulated Kubernetes follows its kubelet). */
  onChange?: (node: SimNode) => void;
}

/** Runtime lines kept per log (Talos keeps about 1 MiB per log); trimmed in steps of 10 %. */
const MAX_EXTRA_LOG_LINES = 3000;

const BOOTING_STATUS: EventPayload = {
  type: "MachineStatusEvent",
  stage: MachineStage.BOOTING,
  status: {
    ready: false,
    unmetConditions: [{ name: "network", reason: "waiting on: address, connectivity" }],
  },
};

export class SimNode {
  readonly spec: NodeSpec;
  readonly env: NodeEnv;
  talosVersion: string;
  kubernetesVersion: string;
  bootCount = 0;
  bootId: string;
  bootTimeMs: number;
  stage: number = MachineStage.RUNNING;
  /** apid answers; false while rebooting or after it never came back. */
  apiUp = true;
  /** The sequence machined is running (upgrade, reboot…): a second one is refused as LOCKED. */
  sequence: string | null = null;
  /** LifecycleService.Upgrade is running. */
  installing = false;
  /** All services are stopped (late in an upgrade or reboot). */
  servicesStopped = false;
  /** Services not started yet during a live boot. */
  servicesPending = false;
  /** The kubelet was stopped by a sequence (stopServices) and has not started again. */
  kubeletStopped = false;
  /** A `kube-never-ready` fault took effect at this boot: the Kubernetes node never turns Ready. */
  kubeBlocked = false;
  /** Shut down (MachineService.Shutdown) and not powered on again since. */
  poweredOff = false;
  /** A `crash-loop` fault took effect at this boot: the containers the node starts crash and back off. */
  podsCrash = false;
  /** A staged installer image the next reboot installs. */
  stagedImage: string | null = null;
  /** The installer image whose install finished and takes effect on the next reboot. */
  installedImage: string | null = null;
  previousVersion: string | null = null;
  pulledImages: Set<string> | null = null;
  faults: NodeFaults = {};
  /** The upgrade requests this node received and how each ended (upgrade-calls.ts). */
  upgradeCalls: UpgradeCall[] = [];
  /** Machine config version counter (bumped by ApplyConfiguration). */
  configVersion = 1;
  /** Config submitted through ApplyConfiguration (replaces the generated one). */
  appliedConfig: string | null = null;
  private ring: EventRing | null = null;
  private overrides: Map<string, ServiceOverride> | null = null;
  private extraLogs: Map<string, LogLine[]> | null = null;
  private logSubscribers: Map<string, Set<(line: LogLine) => void>> | null = null;
  /** Logs and Dmesg streams being served for this node right now. */
  openLogStreams = 0;
  private downListeners: Set<(reason: DownReason) => void> | null = null;
  private statusKey = "";
  /** Bumped on every observable state change; COSI resource versions derive from it. */
  revision = 1;

  constructor(spec: NodeSpec, env: NodeEnv, startMs: number) {
    this.spec = spec;
    this.env = env;
    this.talosVersion = spec.talosVersion;
    this.kubernetesVersion = spec.kubernetesVersion;
    this.bootTimeMs = startMs - spec.uptimeMs;
    this.bootId = stableUuid(`${env.seed}/boot/${spec.index}/0`);
  }

  get hostname(): string {
    return this.spec.hostname;
  }

  get address(): string {
    return this.spec.address;
  }

  get isControlPlane(): boolean {
    return this.spec.role === "controlplane";
  }

  get release() {
    return releaseOf(this.talosVersion);
  }

  serviceDefs(): readonly ServiceDef[] {
    return serviceDefs(this.spec.role, this.spec.extensions);
  }

  // ---- services -------------------------------------------------------------------------------

  /** Current state of every service, sorted by id. */
  services(nowMs: number = Date.now()): ServiceView[] {
    const out: ServiceView[] = [];
    for (const def of this.serviceDefs()) out.push(this.service(def, nowMs));
    return out;
  }

  service(def: ServiceDef, nowMs: number = Date.now()): ServiceView {
    const startedMs = this.bootTimeMs + 6_000 / this.env.clock.timeScale;
    const base = (): ServiceView => ({
      id: def.id,
      state: "Running",
      health: healthyData(def, startedMs + 2_100),
      events: startupServiceEvents(
        def,
        startedMs,
        1000 + ((this.spec.index * 7 + def.id.length * 131) % 3000),
      ),
    });
    if (this.servicesStopped) {
      const v = base();
      v.events.push({ msg: "Service finished successfully", state: "Finished", ts: new Date(nowMs) });
      return { ...v, state: "Finished", health: { ...v.health, healthy: false } };
    }
    if (this.servicesPending && def.id !== "machined") {
      return {
        id: def.id,
        state: def.dependsOn ? "Waiting" : "Preparing",
        health: { unknown: true, healthy: false, lastMessage: "", lastChange: undefined },
        events: def.dependsOn
          ? [{ msg: `Waiting for ${def.dependsOn}`, state: "Waiting", ts: new Date(nowMs) }]
          : [],
      };
    }
    const o = this.overrides?.get(def.id);
    if (o) return { id: def.id, ...o };
    const v = base();
    const fault = this.faults.services?.[def.id];
    const unhealthy =
      fault?.mode === "unhealthy" ||
      (def.id === "kubelet" && this.spec.issue === "kubelet-unhealthy" && this.bootCount === 0);
    if (fault?.mode === "failed") {
      v.state = "Failed";
      v.health = {
        unknown: false,
        healthy: false,
        lastMessage: unhealthyMessage(def.id),
        lastChange: new Date(nowMs),
      };
      v.events.push({ msg: `Failed to run service: exit status 1`, state: "Failed", ts: new Date(nowMs) });
    } else if (unhealthy && def.checked) {
      v.health = {
        unknown: false,
        healthy: false,
        lastMessage: unhealthyMessage(def.id),
        lastChange: new Date(nowMs),
      };
      v.events.push({
        msg: `Health check failed: ${unhealthyMessage(def.id)}`,
        state: "Running",
        ts: new Date(nowMs),
      });
    }
    return v;
  }

  /** Pins a service to a state (restart, flapping); `null` returns it to its computed state. */
  setServiceOverride(id: string, override: ServiceOverride | null): void {
    if (override === null) {
      this.overrides?.delete(id);
      if (this.overrides?.size === 0) this.overrides = null;
    } else {
      this.overrides ??= new Map();
      this.overrides.set(id, { ...override, events: override.events.slice(-64) });
    }
  }

  emitServiceState(id: string, state: ServiceStateName, message: string, health?: ServiceHealthData): void {
    this.emit({ type: "ServiceStateEvent", service: id, action: ServiceStateAction[state], message, health });
  }

  // ---- machine status -------------------------------------------------------------------------

  /** MachineStatus as Talos computes it: readiness only in BOOTING and RUNNING. */
  machineStatus(nowMs: number = Date.now()): {
    stage: number;
    ready: boolean;
    unmetConditions: UnmetCondition[];
  } {
    if (this.stage !== MachineStage.BOOTING && this.stage !== MachineStage.RUNNING) {
      return { stage: this.stage, ready: true, unmetConditions: [] };
    }
    const unmet: UnmetCondition[] = [];
    if (this.servicesPending) {
      unmet.push({ name: "network", reason: "waiting on: address, connectivity" });
    }
    const problems: string[] = [];
    for (const s of this.services(nowMs)) {
      if (s.state !== "Running") problems.push(`${s.id} not running`);
      else if (!s.health.unknown && !s.health.healthy) problems.push(`${s.id} not healthy`);
    }
    if (problems.length > 0) unmet.push({ name: "services", reason: problems.join(", ") });
    const kubeletOk = !problems.some((p) => p.startsWith("kubelet "));
    if (!kubeletOk || (this.spec.issue === "node-not-ready" && this.bootCount === 0) || this.kubeBlocked) {
      unmet.push({ name: "nodeReady", reason: `node "${this.hostname}" is not ready` });
    }
    return { stage: this.stage, ready: unmet.length === 0, unmetConditions: unmet };
  }

  /** Emits a MachineStatusEvent when stage or readiness changed since the last one. */
  refreshStatus(): void {
    this.env.onChange?.(this);
    const s = this.machineStatus();
    const key = `${s.stage}|${s.ready}|${s.unmetConditions.map((u) => `${u.name}:${u.reason}`).join(";")}`;
    if (key === this.statusKey) return;
    this.statusKey = key;
    this.revision++;
    this.emit({
      type: "MachineStatusEvent",
      stage: s.stage,
      status: { ready: s.ready, unmetConditions: s.unmetConditions },
    });
  }

  // ---- events ---------------------------------------------------------------------------------

  /** The event ring, filled on first use with the history of the current boot. */
  events(): EventRing {
    if (!this.ring) {
      const length = this.bootHistory().length;
      this.ring = new EventRing({ length, make: () => this.bootHistory() });
      const s = this.machineStatus();
      this.statusKey = `${s.stage}|${s.ready}|${s.unmetConditions.map((u) => `${u.name}:${u.reason}`).join(";")}`;
    }
    return this.ring;
  }

  hasRing(): boolean {
    return this.ring !== null;
  }

  emit(payload: EventPayload, actorId = "", timeMs: number = Date.now()): SimEvent {
    const event: SimEvent = { id: xid(timeMs), timeMs, actorId, payload };
    this.events().push(event);
    return event;
  }

  /** A reboot empties the ring; the next boot refills it live. */
  resetEvents(): void {
    this.ring?.clear();
    this.ring ??= new EventRing();
    this.statusKey = "";
  }

  /**
   * The events of the boot the simulator started with, generated on demand with stable ids. Events are put in
   * time order first and numbered after, so ids ascend with time as rs/xid ids do (time, then counter).
   */
  private bootHistory(): SimEvent[] {
    const scale = this.env.clock.timeScale;
    const timed: Array<{ timeMs: number; payload: EventPayload }> = [];
    const push = (timeMs: number, payload: EventPayload) => timed.push({ timeMs, payload });
    for (const step of bootScript(this.spec.role)) {
      const t = this.bootTimeMs + step.at / scale;
      if (step.kind === "event") {
        push(t, step.payload);
        if (
          step.payload.type === "SequenceEvent" &&
          step.payload.sequence === "initialize" &&
          step.payload.action === 1
        ) {
          push(t, BOOTING_STATUS);
        }
      } else if (step.kind === "services-up") {
        for (const def of this.serviceDefs()) {
          for (const e of startupServiceEvents(def, t, 0)) {
            // the services' own offsets are simulated time too
            const at = t + (e.ts.getTime() - t) / scale;
            push(at, {
              type: "ServiceStateEvent",
              service: def.id,
              action: ServiceStateAction[e.state],
              message: e.msg.replace(" (PID 0)", ""),
              health: e.msg.startsWith("Health") ? healthyData(def, at) : undefined,
            });
          }
        }
        push(t, { type: "AddressEvent", hostname: this.hostname, addresses: [this.address] });
      } else if (step.kind === "running") {
        const s = { ...this.machineStatus(), stage: MachineStage.RUNNING };
        push(t, {
          type: "MachineStatusEvent",
          stage: s.stage,
          status: { ready: s.ready, unmetConditions: s.unmetConditions },
        });
      }
    }
    // stable sort: events at the same instant keep the order machined published them in
    timed.sort((a, b) => a.timeMs - b.timeMs);
    const base = this.spec.index * 512;
    return timed.map((e, i) => ({
      id: xidAt(e.timeMs, base + i),
      timeMs: e.timeMs,
      actorId: "",
      payload: e.payload,
    }));
  }

  // ---- logs -----------------------------------------------------------------------------------

  /** Appends a runtime line (restart, upgrade progress) to a log and hands it to followers. */
  appendLog(id: string, text: string, t: number = Date.now(), raw?: Buffer): void {
    this.appendLogLines(id, [raw ? { t, text, raw } : { t, text }]);
  }

  /** Appends lines at once (a flood, injected lines) and hands them to followers. */
  appendLogLines(id: string, added: readonly LogLine[]): void {
    this.extraLogs ??= new Map();
    let lines = this.extraLogs.get(id);
    if (!lines) {
      lines = [];
      this.extraLogs.set(id, lines);
    }
    for (const l of added) lines.push(l);
    if (lines.length > MAX_EXTRA_LOG_LINES * 1.1) lines.splice(0, lines.length - MAX_EXTRA_LOG_LINES);
    const subs = this.logSubscribers?.get(id);
    if (subs) for (const s of subs) for (const l of added) s(l);
  }

  extraLogLines(id: string): readonly LogLine[] {
    const lines = this.extraLogs?.get(id) ?? [];
    return lines.length > MAX_EXTRA_LOG_LINES ? lines.slice(lines.length - MAX_EXTRA_LOG_LINES) : lines;
  }

  subscribeLog(id: string, fn: (line: LogLine) => void): () => void {
    this.logSubscribers ??= new Map();
    let subs = this.logSubscribers.get(id);
    if (!subs) {
      subs = new Set();
      this.logSubscribers.set(id, subs);
    }
    subs.add(fn);
    return () => {
      subs.delete(fn);
      if (subs.size === 0) this.logSubscribers?.delete(id);
    };
  }

  /** Logs are in memory on Talos: a reboot loses them. */
  resetLogs(): void {
    this.extraLogs = null;
  }

  markPulled(image: string): void {
    this.pulledImages ??= new Set();
    this.pulledImages.add(image);
  }

  // ---- reachability ---------------------------------------------------------------------------

  onDown(fn: (reason: DownReason) => void): () => void {
    this.downListeners ??= new Set();
    this.downListeners.add(fn);
    return () => {
      this.downListeners?.delete(fn);
    };
  }

  /** apid stops: every open stream to this node ends. */
  goDown(reason: DownReason): void {
    this.apiUp = false;
    const listeners = this.downListeners;
    this.downListeners = null;
    if (listeners) for (const l of listeners) l(reason);
  }

  /** Starts a new boot: new boot id, empty ring and logs. */
  newBoot(nowMs: number = Date.now()): void {
    this.bootCount++;
    this.revision++;
    this.bootId = stableUuid(`${this.env.seed}/boot/${this.spec.index}/${this.bootCount}`);
    this.bootTimeMs = nowMs;
    this.kubeletStopped = false;
    this.kubeBlocked = this.faults.kubeNeverReady === true;
    this.podsCrash = this.faults.crashLoop === true;
    this.resetEvents();
    this.resetLogs();
    this.overrides = null;
  }
}
