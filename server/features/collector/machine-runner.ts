// Keeps one machine's state current through the cluster endpoint (`node` routing): one stream per machine —
// the Events stream (which carries service state and MachineStatusEvent, and whose events are stored), or
// the COSI MachineStatus watch when events are off — and a periodic reconcile of the rest, backing off
// while the machine is away.

import type { LimitFunction } from "p-limit";
import { AppError } from "../../model/errors";
import { backoff, jitter } from "../../platform/pacing";
import { type TalosClient, TalosCredentialRetiredError, TalosError, type TalosService } from "../../talos";
import type { DriftReading } from "../drift/read-drift-state";
import { readDriftState } from "../drift/read-drift-state";
import { DurationTracker } from "../events/durations";
import { type EventRow, eventRow } from "../events/event-row";
import { xidTimeMs } from "../events/xid";
import type { ServiceState } from "../health";
import type { FirstContacts } from "./first-contacts";
import type { MachinePatch } from "./machine-state";
import { Waker } from "./waker";

export interface RunnerHost {
  client(): TalosClient | undefined;
  /** Bounds the periodic reconciles in flight across all clusters (first contacts are bounded apart). */
  calls: LimitFunction;
  /** Paces every machine's first stream open and full read. */
  firstContacts: FirstContacts;
  /** Counts Talos calls and stream opens, for benchmarks and logs. */
  count: (what: keyof CallCounts, n?: number) => void;
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

/** Talos calls the collector made, by purpose. */
export interface CallCounts {
  /** Calls of the periodic reconcile (version, services, status, boot id, containers, etcd). */
  reconcileCalls: number;
  /** Calls of drift readings (extensions, kernel arguments, machine configuration). */
  driftCalls: number;
  /** Event or watch streams opened. */
  streamOpens: number;
  /** Events received on the streams. */
  events: number;
}

/**
 * While the Events stream delivers service states, a round reads the version (the machine answers, and how
 * fast) and on control planes etcd and the Kubernetes containers; services and boot id, which the stream
 * keeps current (a reboot ends it), are read again every this many rounds, as a safety net.
 */
const FULL_READ_EVERY = 5;

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
  /** The next round reads everything: first contact, a reopened stream, a boot, a failure, a new credential. */
  private wantFullRead = true;
  private opens = 0;
  /** Resolves the first contact's wait for the stream: it opened, or failed to. */
  private firstOpenSettled: (() => void) | undefined;
  /**
   * Counts the service states and machine statuses a stream applied: a reconcile whose read was in flight
   * when one arrived must not overwrite it with what it read before.
   */
  private streamed = { services: 0, status: 0 };
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

  /** Starts with a first contact when the pacer gives this machine its turn, then follows and reconciles. */
  start(): void {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    this.streamAbort?.abort();
    await this.done;
  }

  /** Re-read everything now (e.g. the credential changed, or a stream saw a reboot). */
  poke(): void {
    this.wantFullRead = true;
    this.reconcileWaker.wake();
  }

  /** Ends the open streams; they reopen (with backoff) once a client is available again. */
  dropStreams(): void {
    this.streamAbort?.abort();
  }

  private get signal(): AbortSignal {
    return this.stopper.signal;
  }

  /** The machine answered: applies `patch` (a fresh object of the caller's) as seen now. */
  private seen(patch: MachinePatch): void {
    patch.reachable = true;
    patch.lastSeenAt = new Date();
    patch.lastError = null;
    this.host.update(this.id, patch);
  }

  /**
   * First contact, paced across the collector: open the stream (so nothing that happens from now on is
   * missed), then read everything once. The periodic reconcile runs from there, so the steady rounds of
   * 10,000 machines are as spread out as their first contacts were.
   */
  private async run(): Promise<void> {
    let streams: Promise<void> | undefined;
    const first = await this.host.firstContacts.run(
      async () => {
        // Wait until the stream opened or failed (or the call deadline passed), then read.
        const opened = new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.signal.removeEventListener("abort", done);
            this.firstOpenSettled = undefined;
            resolve();
          };
          const timer = setTimeout(done, this.host.timeoutMs);
          this.signal.addEventListener("abort", done, { once: true });
          this.firstOpenSettled = done;
        });
        streams = this.streamLoop();
        await opened;
        // Bounded by the first-contact slots, not queued behind the periodic rounds of machines already
        // collected: when the nodes answer slowly, those rounds wait, the first picture does not.
        return this.reconcile();
      },
      { signal: this.signal, replaysHistory: this.host.events && !this.lastEventId },
    );
    await Promise.all([streams, first === undefined ? undefined : this.reconcileLoop(first)]);
  }

  // ---- streams ------------------------------------------------------------------------------

  private async streamLoop(): Promise<void> {
    let failures = 0;
    while (!this.signal.aborted) {
      const client = this.host.client();
      if (!client) {
        this.firstOpenSettled?.(); // nothing to wait for: the cluster has no usable credential
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
        this.firstOpenSettled?.();
      };
      this.host.count("streamOpens");
      const task = this.host.events
        ? this.follow(client, ctl.signal, healthy)
        : this.watch(client, ctl.signal, healthy);
      await task.catch(() => {});
      this.firstOpenSettled?.();
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
      this.host.count("events");
      this.streamed.status++;
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
    this.wantFullRead = true;
    // After a reconnect read the status now; the first open has its first reconcile scheduled already.
    if (this.opens++ > 0) this.reconcileWaker.wake();
    const target = { machineId: this.id, clusterId: this.host.clusterId };
    for await (const e of stream) {
      this.host.count("events");
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
        this.streamed.services++;
        this.seen({ services: this.services });
      } else if (p.type === "machineStatus") {
        this.streamed.status++;
        this.seen({ stage: p.stage.toLowerCase(), ready: p.ready, unmetConditions: p.unmetConditions });
      } else if (p.type === "sequence" || p.type === "restart") {
        // A boot, upgrade or reboot: version and boot id are about to change.
        this.wantFullRead = true;
        this.reconcileWaker.wake();
      }
    }
    if (!signal.aborted) throw new Error("the event stream ended");
  }

  // ---- periodic reconcile -------------------------------------------------------------------

  /** Reconciles every reconcileMs (jittered) after `ok`, the first contact's result; backs off on failures. */
  private async reconcileLoop(firstOk: boolean): Promise<void> {
    let ok = firstOk;
    while (!this.signal.aborted) {
      this.reconcileFailures = ok ? 0 : this.reconcileFailures + 1;
      const wait = ok
        ? jitter(this.host.reconcileMs)
        : backoff(this.reconcileFailures, this.host.maxBackoffMs);
      await this.reconcileWaker.sleep(wait, this.signal);
      if (this.signal.aborted) break;
      ok = await this.host.calls(() => this.reconcile());
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
      const admin = drift.admin();
      this.host.count("driftCalls", admin.client ? 3 : 2);
      const reading = await readDriftState({ client, admin, target: t, digest: drift.digest });
      drift.record(this.id, reading, versions);
    } catch {
      // the next drift round tries again; reachability is the reconcile's business
    }
  }

  /** Reads version and, when due, services, status, boot id (and etcd, Kubernetes version); false when unreachable. */
  private async reconcile(): Promise<boolean> {
    if (this.signal.aborted) return true;
    const client = this.host.client();
    if (!client) return false; // the cluster has no usable credential: the worker says why
    const t = { node: this.address, timeoutMs: this.host.timeoutMs, signal: this.signal };
    const started = performance.now();
    try {
      this.host.count("reconcileCalls");
      const version = await client.version(t);
      const responseMs = performance.now() - started;
      const controlPlane = this.role === "controlplane";
      const readK8s = controlPlane || this.rounds % FULL_READ_EVERY === 0;
      const readStatus = !this.watching || this.needStatus;
      const full =
        this.wantFullRead || !this.host.events || !this.watching || this.rounds % FULL_READ_EVERY === 0;
      this.rounds++;
      const before = { ...this.streamed };
      this.host.count(
        "reconcileCalls",
        (full ? 2 : 0) + (readStatus ? 1 : 0) + (readK8s ? 1 : 0) + (controlPlane ? 2 : 0),
      );
      const [services, status, bootId, containers, etcd, members] = await Promise.all([
        full ? client.services(t) : undefined,
        readStatus ? client.machineStatus(t) : undefined,
        full ? client.bootId(t) : undefined,
        readK8s ? client.containers({ ...t, kubernetes: true }).catch(() => undefined) : undefined,
        controlPlane ? client.etcdStatus(t).catch(() => undefined) : undefined,
        controlPlane ? client.etcdMembers(t).catch(() => undefined) : undefined,
      ]);
      // What the stream delivered while these reads were in flight is newer than what they read.
      const freshServices = services && this.streamed.services === before.services ? services : undefined;
      const freshStatus = status && this.streamed.status === before.status ? status : undefined;
      if (freshServices) this.services = freshServices.map(toServiceState);
      const patch: MachinePatch = {
        talosVersion: version.tag,
        ...(freshServices ? { services: this.services } : {}),
        ...(freshStatus
          ? {
              stage: freshStatus.stage.toLowerCase(),
              ready: freshStatus.ready,
              unmetConditions: freshStatus.unmetConditions,
            }
          : {}),
        ...(bootId === undefined ? {} : { bootId }),
        responseMs,
      };
      if (freshStatus && this.watching) this.needStatus = false;
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
      // A full read whose services a stream event overtook is repeated next round.
      if (full && freshServices) this.wantFullRead = false;
      this.seen(patch);
      if (this.host.drift && (this.rounds - 1) % DRIFT_EVERY === 0) {
        await this.readDrift(client, t, `${version.tag}|${patch.kubernetesVersion ?? ""}`);
      }
      if (this.reconcileFailures > 0) this.streamWaker.wake();
      return true;
    } catch (err) {
      if (this.signal.aborted) return true;
      this.wantFullRead = true;
      // The credential was replaced or removed under this call: says nothing about the machine. The
      // worker has the current one (or says why there is none); the next round uses it.
      if (err instanceof TalosCredentialRetiredError) return false;
      this.host.update(this.id, { reachable: false, lastError: describeError(err) });
      // A hung connection can leave streams silent: restart them once the machine answers again.
      this.streamAbort?.abort();
      return false;
    }
  }
}
