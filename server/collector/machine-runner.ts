// Keeps one machine's state current through the cluster endpoint (`node` routing): one stream per machine —
// the Events stream (which carries service state and MachineStatusEvent, and whose events are stored), or
// the COSI MachineStatus watch when events are off — and a periodic reconcile of the rest, backing off
// while the machine is away.

import type { DriftReading } from "../drift/read-drift-state";
import { readDriftState } from "../drift/read-drift-state";
import { AppError } from "../errors";
import { DurationTracker } from "../events/durations";
import { type EventRow, eventRow } from "../events/event-row";
import { xidTimeMs } from "../events/xid";
import type { ServiceState } from "../health";
import { type TalosClient, TalosError, type TalosService } from "../talos";
import type { MachinePatch } from "./machine-state";
import { backoff, jitter, type Limiter } from "./pacing";
import { Waker } from "./waker";

export interface RunnerHost {
  client(): TalosClient | undefined;
  limiter: Limiter;
  reconcileMs: number;
  timeoutMs: number;
  maxBackoffMs: number;
  /** Follow the Events stream (and store its events) instead of the MachineStatus watch. */
  events: boolean;
  clusterId: string;
  update(machineId: string, patch: MachinePatch): void;
  recordEvents(rows: EventRow[]): void;
  /** etcd member count seen by a control plane. */
  etcdMembers(count: number): void;
  /** Drift readings (extensions, kernel args, redacted config); absent when drift is not collected. */
  drift?: {
    /** A client with an os:admin credential for the machine configuration, or why there is none. */
    admin(): { client?: TalosClient; reason?: string };
    digest?: (secret: string) => string;
    record(machineId: string, reading: DriftReading, versions: string): void;
  };
}

/** Drift is read on the first reconcile and then every this many (configuration changes are rare). */
const DRIFT_EVERY = 5;

/** What went wrong, in words fit for a machine page. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return err.userMessage;
  if (err instanceof TalosError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

function toServiceState(s: TalosService): ServiceState {
  return {
    id: s.id,
    state: s.state,
    healthy: s.health.healthy,
    unknown: s.health.unknown,
    ...(s.health.lastMessage ? { message: s.health.lastMessage } : {}),
  };
}

/** Replayed events older than this before the stream opened are stored but not applied to the state. */
const REPLAY_SLACK_MS = 5_000;

const K8S_IMAGE = /\/kube-(?:apiserver|proxy|controller-manager|scheduler):(v\d+\.\d+\.\d+[^@\s]*)/;

/** ServiceStateEvent actions (Talos's names) to ServiceInfo states. */
const SERVICE_STATES: Record<string, string> = {
  INITIALIZED: "Initialized",
  PREPARING: "Preparing",
  WAITING: "Waiting",
  RUNNING: "Running",
  STOPPING: "Stopping",
  FINISHED: "Finished",
  FAILED: "Failed",
  SKIPPED: "Skipped",
  STARTING: "Starting",
};

export class MachineRunner {
  private readonly stopper = new AbortController();
  private readonly reconcileWaker = new Waker();
  private readonly streamWaker = new Waker();
  private streamAbort: AbortController | undefined;
  private reconcileFailures = 0;
  /** A stream delivers status changes: the reconcile need not read the status again... */
  private watching = false;
  /** ...except once after the Events stream opened (it carries changes, not the current status). */
  private needStatus = true;
  private opens = 0;
  private readonly durations = new DurationTracker();
  private rounds = 0;
  private services: ServiceState[];
  private done: Promise<unknown> | undefined;

  constructor(
    private readonly host: RunnerHost,
    readonly id: string,
    readonly address: string,
    readonly role: "controlplane" | "worker",
    services: ServiceState[],
    /** The newest stored event of this machine: the Events stream resumes after it. */
    private lastEventId: string | undefined,
  ) {
    this.services = services;
  }

  /** Streams open after `streamDelayMs`; the first full read comes after `reconcileDelayMs` (spreads load). */
  start(streamDelayMs: number, reconcileDelayMs: number): void {
    this.done = Promise.all([this.streamLoop(streamDelayMs), this.reconcileLoop(reconcileDelayMs)]);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    this.streamAbort?.abort();
    await this.done;
  }

  /** Re-read everything now (e.g. the credential changed, or a stream saw a reboot). */
  poke(): void {
    this.reconcileWaker.wake();
  }

  /** Ends the open streams; they reopen (with backoff) once a client is available again. */
  dropStreams(): void {
    this.streamAbort?.abort();
  }

  private get signal(): AbortSignal {
    return this.stopper.signal;
  }

  private seen(patch: MachinePatch): void {
    this.host.update(this.id, { ...patch, reachable: true, lastSeenAt: new Date(), lastError: null });
  }

  // ---- streams ------------------------------------------------------------------------------

  private async streamLoop(initialDelayMs: number): Promise<void> {
    await this.streamWaker.sleep(initialDelayMs, this.signal);
    let failures = 0;
    while (!this.signal.aborted) {
      const client = this.host.client();
      if (!client) {
        await this.streamWaker.sleep(1_000, this.signal);
        continue;
      }
      const ctl = new AbortController();
      this.streamAbort = ctl;
      const onStop = () => ctl.abort();
      this.signal.addEventListener("abort", onStop, { once: true });
      const healthy = () => {
        failures = 0;
        this.watching = true;
      };
      const task = this.host.events
        ? this.follow(client, ctl.signal, healthy)
        : this.watch(client, ctl.signal, healthy);
      await task.catch(() => {});
      ctl.abort();
      this.watching = false;
      this.signal.removeEventListener("abort", onStop);
      if (this.signal.aborted) break;
      failures++;
      // The stream ended: find out at once whether the machine is away (the reconcile marks it), and
      // retry the stream with backoff.
      this.reconcileWaker.wake();
      await this.streamWaker.sleep(backoff(failures, this.host.maxBackoffMs), this.signal);
    }
  }

  private async watch(client: TalosClient, signal: AbortSignal, healthy: () => void): Promise<void> {
    for await (const s of client.watchMachineStatus({ node: this.address, signal })) {
      healthy();
      this.seen({ stage: s.stage.toLowerCase(), ready: s.ready, unmetConditions: s.unmetConditions });
      if (s.stage !== "RUNNING") this.reconcileWaker.wake();
    }
    if (!signal.aborted) throw new Error("the machine status watch ended");
  }

  /**
   * Follows the Events stream: from the newest stored event on (the node replays what was missed; after a
   * reboot its ring is empty and it sends the new boot's events), or the node's whole history the first time.
   */
  private async follow(client: TalosClient, signal: AbortSignal, healthy: () => void): Promise<void> {
    const tail = this.lastEventId ? { tailId: this.lastEventId } : { tailEvents: -1 };
    const stream = client.events({ node: this.address, signal, ...tail });
    await stream.ready;
    const openedAt = Date.now();
    healthy();
    this.needStatus = true;
    // After a reconnect read the status now; the first open has its first reconcile scheduled already.
    if (this.opens++ > 0) this.reconcileWaker.wake();
    const target = { machineId: this.id, clusterId: this.host.clusterId };
    for await (const e of stream) {
      const received = Date.now();
      const row = eventRow(target, e, new Date(received), this.durations.observe(e, received));
      if (!row) continue;
      this.host.recordEvents([row]);
      this.lastEventId = e.id;
      // History from before the stream opened is kept, but the state comes from the reconcile's fresh read.
      if ((xidTimeMs(e.id) ?? received) < openedAt - REPLAY_SLACK_MS) continue;
      const p = e.payload;
      if (p.type === "serviceState") {
        const state = SERVICE_STATES[p.action] ?? p.action;
        const next: ServiceState = {
          id: p.service,
          state,
          healthy: p.health?.healthy ?? false,
          unknown: p.health?.unknown ?? true,
          ...(p.health?.lastMessage ? { message: p.health.lastMessage } : {}),
        };
        const others = this.services.filter((s) => s.id !== p.service);
        this.services = [...others, next].sort((a, b) => a.id.localeCompare(b.id));
        this.seen({ services: this.services });
      } else if (p.type === "machineStatus") {
        this.seen({ stage: p.stage.toLowerCase(), ready: p.ready, unmetConditions: p.unmetConditions });
      } else if (p.type === "sequence" || p.type === "restart") {
        // A boot, upgrade or reboot: version and boot id are about to change.
        this.reconcileWaker.wake();
      }
    }
    if (!signal.aborted) throw new Error("the event stream ended");
  }

  // ---- periodic reconcile -------------------------------------------------------------------

  private async reconcileLoop(initialDelayMs: number): Promise<void> {
    await this.reconcileWaker.sleep(initialDelayMs, this.signal);
    while (!this.signal.aborted) {
      const ok = await this.host.limiter.run(() => this.reconcile());
      if (ok) {
        this.reconcileFailures = 0;
      } else {
        this.reconcileFailures++;
      }
      const wait = ok
        ? jitter(this.host.reconcileMs)
        : backoff(this.reconcileFailures, this.host.maxBackoffMs);
      await this.reconcileWaker.sleep(wait, this.signal);
    }
  }

  /** Drift reading of this machine; a failure here is logged by the sink's caller, never marks it away. */
  private async readDrift(
    client: TalosClient,
    t: { node: string; timeoutMs: number; signal: AbortSignal },
    versions: string,
  ) {
    const drift = this.host.drift;
    if (!drift) return;
    try {
      const reading = await readDriftState({ client, admin: drift.admin(), target: t, digest: drift.digest });
      drift.record(this.id, reading, versions);
    } catch {
      // the next drift round tries again; reachability is the reconcile's business
    }
  }

  /** Reads version, services, status, boot id (and etcd, Kubernetes version); false when unreachable. */
  private async reconcile(): Promise<boolean> {
    if (this.signal.aborted) return true;
    const client = this.host.client();
    if (!client) return false; // the cluster has no usable credential: the worker says why
    const t = { node: this.address, timeoutMs: this.host.timeoutMs, signal: this.signal };
    const started = performance.now();
    try {
      const version = await client.version(t);
      const responseMs = performance.now() - started;
      const controlPlane = this.role === "controlplane";
      const readK8s = controlPlane || this.rounds % 5 === 0;
      this.rounds++;
      const [services, status, bootId, containers, etcd, members] = await Promise.all([
        client.services(t),
        this.watching && !this.needStatus ? undefined : client.machineStatus(t),
        client.bootId(t),
        readK8s ? client.containers({ ...t, kubernetes: true }).catch(() => undefined) : undefined,
        controlPlane ? client.etcdStatus(t).catch(() => undefined) : undefined,
        controlPlane ? client.etcdMembers(t).catch(() => undefined) : undefined,
      ]);
      this.services = services.map(toServiceState);
      const patch: MachinePatch = {
        talosVersion: version.tag,
        services: this.services,
        ...(status
          ? {
              stage: status.stage.toLowerCase(),
              ready: status.ready,
              unmetConditions: status.unmetConditions,
            }
          : {}),
        bootId,
        responseMs,
      };
      if (status && this.watching) this.needStatus = false;
      if (containers) {
        const tag = containers.map((c) => K8S_IMAGE.exec(c.image)?.[1]).find(Boolean);
        if (tag) patch.kubernetesVersion = tag;
        if (controlPlane) {
          patch.apiServerRunning = containers.some(
            (c) => c.name === "kube-apiserver" && c.status === "CONTAINER_RUNNING",
          );
        }
      }
      if (etcd) patch.etcdErrors = etcd.errors;
      if (members) this.host.etcdMembers(members.length);
      if (this.signal.aborted) return true;
      this.seen(patch);
      if (this.host.drift && (this.rounds - 1) % DRIFT_EVERY === 0) {
        await this.readDrift(client, t, `${version.tag}|${patch.kubernetesVersion ?? ""}`);
      }
      if (this.reconcileFailures > 0) this.streamWaker.wake();
      return true;
    } catch (err) {
      if (this.signal.aborted) return true;
      this.host.update(this.id, { reachable: false, lastError: describeError(err) });
      // A hung connection can leave streams silent: restart them once the machine answers again.
      this.streamAbort?.abort();
      return false;
    }
  }
}
