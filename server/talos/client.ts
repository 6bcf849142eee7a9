// TalosClient: the typed operations Minos runs against one talosconfig context, one node per call.
import { ChannelPool } from "./channel-pool";
import { type CallTarget, NodeCaller } from "./node-call";
import { type ApplyMode, applyConfiguration } from "./operations/apply-config";
import { etcdMembers, etcdStatus } from "./operations/etcd";
import { type EventsOptions, events } from "./operations/events";
import { hostname, version } from "./operations/identity";
import { kubeconfig, nodename } from "./operations/kubernetes";
import { type DmesgOptions, dmesg, type LogsOptions, logs, logsContainers } from "./operations/logs";
import {
  bootId,
  machineConfig,
  machineStatus,
  members,
  watchMachineStatus,
} from "./operations/machine-resources";
import { getResource, listResources, type ResourceKind, watchResources } from "./operations/resources";
import { restartService, services } from "./operations/services";
import { containers } from "./operations/system";
import { pullImage, reboot, rollback } from "./operations/upgrade";
import { type UpgradeFlowOptions, upgradeNode } from "./operations/upgrade-flow";
import type { TalosContext } from "./talosconfig";

/** The pool shared by clients that are not given one; one channel per endpoint for the whole process. */
let sharedPool: ChannelPool | undefined;

export interface TalosClientOptions {
  /** Channel cache to use (default: one shared by the process). */
  pool?: ChannelPool;
}

/**
 * Talks to the nodes of one talosconfig context through its endpoints. Every method targets one node with
 * `node` metadata, as talosctl 1.14 does (apid's older `nodes` fan-out is not used).
 */
export class TalosClient {
  readonly context: TalosContext;
  private readonly caller: NodeCaller;
  private readonly pool: ChannelPool;
  private readonly retirement = new AbortController();

  constructor(context: TalosContext, opts: TalosClientOptions = {}) {
    this.context = context;
    if (!opts.pool && !sharedPool) sharedPool = new ChannelPool();
    this.pool = opts.pool ?? (sharedPool as ChannelPool);
    this.caller = new NodeCaller(context, this.pool, this.retirement.signal);
  }

  /**
   * Stops using this client's credential for good (it was replaced or removed): every open call and stream
   * ends with TalosCredentialRetiredError, later calls are refused with it, and the pool's channels of
   * the credential are closed.
   */
  retire(): void {
    if (this.retirement.signal.aborted) return;
    this.retirement.abort();
    this.pool.drop(this.context);
  }

  /** Whether retire() was called. */
  get retired(): boolean {
    return this.retirement.signal.aborted;
  }

  /** The roles of this context's certificate, e.g. ["os:admin"]. */
  get roles(): string[] {
    return this.context.roles;
  }

  version = (t: CallTarget) => version(this.caller, t);
  hostname = (t: CallTarget) => hostname(this.caller, t);
  services = (t: CallTarget) => services(this.caller, t);
  restartService = (t: CallTarget & { id: string }) => restartService(this.caller, t);
  machineStatus = (t: CallTarget) => machineStatus(this.caller, t);
  watchMachineStatus = (t: CallTarget) => watchMachineStatus(this.caller, t);
  members = (t: CallTarget) => members(this.caller, t);
  bootId = (t: CallTarget) => bootId(this.caller, t);
  etcdStatus = (t: CallTarget) => etcdStatus(this.caller, t);
  etcdMembers = (t: CallTarget & { queryLocal?: boolean }) => etcdMembers(this.caller, t);
  logsContainers = (t: CallTarget) => logsContainers(this.caller, t);
  containers = (t: CallTarget & { kubernetes?: boolean }) => containers(this.caller, t);
  logs = (o: LogsOptions) => logs(this.caller, o);
  dmesg = (o: DmesgOptions) => dmesg(this.caller, o);
  events = (o: EventsOptions) => events(this.caller, o);
  /** Admin only: the configuration contains the cluster's secrets. */
  machineConfig = (t: CallTarget) => machineConfig(this.caller, t);
  pullImage = (o: Parameters<typeof pullImage>[1]) => pullImage(this.caller, o);
  /** Upgrade and follow the node until it runs again on a new boot id (path chosen by version). */
  upgrade = (o: UpgradeFlowOptions) => upgradeNode(this.caller, o);
  reboot = (o: CallTarget & { mode?: "default" | "powercycle" | "force" }) => reboot(this.caller, o);
  /** Admin only: boots the previous Talos version again. */
  rollback = (t: CallTarget) => rollback(this.caller, t);
  /** Admin only: applies (or with dryRun, checks) a machine configuration. */
  applyConfiguration = (o: CallTarget & { config: string; mode?: ApplyMode; dryRun?: boolean }) =>
    applyConfiguration(this.caller, o);
  /** Admin only, control planes only: the cluster's admin kubeconfig (holds a private key). */
  kubeconfig = (t: CallTarget) => kubeconfig(this.caller, t);
  /** The node's name in Kubernetes. */
  nodename = (t: CallTarget) => nodename(this.caller, t);
  getResource = (kind: ResourceKind, id: string, t: CallTarget) => getResource(this.caller, kind, id, t);
  listResources = (kind: ResourceKind, t: CallTarget) => listResources(this.caller, kind, t);
  watchResources = (kind: ResourceKind, t: CallTarget & { id?: string }) =>
    watchResources(this.caller, kind, t);
}

/** Closes the process-wide channel pool (for shutdown and tests). */
export function closeSharedPool(): void {
  sharedPool?.close();
  sharedPool = undefined;
}
