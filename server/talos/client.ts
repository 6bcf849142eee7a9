// TalosClient: the typed operations Minos runs against one talosconfig context, per node or across many.
import { ChannelPool } from "./channel-pool";
import { type FanOutOptions, forEachNode, type NodeResult } from "./fan-out";
import { type CallTarget, NodeCaller } from "./node-call";
import { callNodes } from "./operation";
import { APPLY_CONFIGURATION_OP, type ApplyMode, applyConfiguration } from "./operations/apply-config";
import { ETCD_MEMBERS_OP, ETCD_STATUS_OP, etcdMembers, etcdStatus } from "./operations/etcd";
import { type EventsOptions, events, eventsAggregated } from "./operations/events";
import { HOSTNAME_OP, hostname, VERSION_OP, version } from "./operations/identity";
import {
  type DmesgOptions,
  dmesg,
  dmesgAggregated,
  LOGS_CONTAINERS_OP,
  type LogsOptions,
  logs,
  logsAggregated,
  logsContainers,
} from "./operations/logs";
import {
  bootId,
  machineConfig,
  machineStatus,
  members,
  watchMachineStatus,
} from "./operations/machine-resources";
import { getResource, listResources, type ResourceKind, watchResources } from "./operations/resources";
import { RESTART_SERVICE_OP, restartService, SERVICES_OP, services } from "./operations/services";
import {
  CONTAINERS_OP,
  containers,
  MEMORY_OP,
  memory,
  SYSTEM_STAT_OP,
  systemStat,
} from "./operations/system";
import {
  LEGACY_UPGRADE_OP,
  type LegacyUpgradeOptions,
  type LegacyUpgradeRequest,
  legacyUpgrade,
  lifecycleUpgrade,
  pullImage,
  REBOOT_OP,
  ROLLBACK_OP,
  reboot,
  rollback,
} from "./operations/upgrade";
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
 * `node` metadata (as talosctl 1.14); `each` runs one per node with bounded concurrency; `aggregated.*` use the
 * older one-call `nodes` fan-out of apid and decode its per-node errors.
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
  memory = (t: CallTarget) => memory(this.caller, t);
  systemStat = (t: CallTarget) => systemStat(this.caller, t);
  containers = (t: CallTarget & { kubernetes?: boolean }) => containers(this.caller, t);
  logs = (o: LogsOptions) => logs(this.caller, o);
  dmesg = (o: DmesgOptions) => dmesg(this.caller, o);
  events = (o: EventsOptions) => events(this.caller, o);
  /** Admin only: the configuration contains the cluster's secrets. */
  machineConfig = (t: CallTarget) => machineConfig(this.caller, t);
  /** Legacy MachineService.Upgrade (all versions; Talos plans its removal for v1.18). */
  legacyUpgrade = (o: LegacyUpgradeOptions) => legacyUpgrade(this.caller, o);
  pullImage = (o: Parameters<typeof pullImage>[1]) => pullImage(this.caller, o);
  lifecycleUpgrade = (o: Parameters<typeof lifecycleUpgrade>[1]) => lifecycleUpgrade(this.caller, o);
  /** Upgrade and follow the node until it runs again on a new boot id (path chosen by version). */
  upgrade = (o: UpgradeFlowOptions) => upgradeNode(this.caller, o);
  reboot = (o: CallTarget & { mode?: "default" | "powercycle" | "force" }) => reboot(this.caller, o);
  /** Admin only: boots the previous Talos version again. */
  rollback = (t: CallTarget) => rollback(this.caller, t);
  /** Admin only: applies (or with dryRun, checks) a machine configuration. */
  applyConfiguration = (o: CallTarget & { config: string; mode?: ApplyMode; dryRun?: boolean }) =>
    applyConfiguration(this.caller, o);
  getResource = (kind: ResourceKind, id: string, t: CallTarget) => getResource(this.caller, kind, id, t);
  listResources = (kind: ResourceKind, t: CallTarget) => listResources(this.caller, kind, t);
  watchResources = (kind: ResourceKind, t: CallTarget & { id?: string }) =>
    watchResources(this.caller, kind, t);

  /** Runs `fn` once per node (client-side multiplexing); never rejects, each node gets a result or an error. */
  each<T>(
    nodes: readonly string[],
    fn: (node: string) => Promise<T>,
    opts?: FanOutOptions,
  ): Promise<NodeResult<T>[]> {
    return forEachNode(nodes, fn, opts);
  }

  /**
   * One call fanned out by apid with `nodes` metadata, for setups that rely on it (talosctl <= 1.13): every
   * MachineService operation apid aggregates. apid answers OK even when nodes fail, so each unary method resolves
   * to one `NodeResult` per node (in the order given), a failing node's `metadata.error` decoded into its typed
   * error; streams yield `{ node, … }` items and a failing node's `{ node, error }`. COSI, ImageService and
   * LifecycleService cannot be aggregated (apid refuses them), so they have no entry here.
   */
  readonly aggregated = {
    version: (nodes: readonly string[], t: Aggregated = {}) => callNodes(this.caller, VERSION_OP, nodes, t),
    hostname: (nodes: readonly string[], t: Aggregated = {}) => callNodes(this.caller, HOSTNAME_OP, nodes, t),
    services: (nodes: readonly string[], t: Aggregated = {}) => callNodes(this.caller, SERVICES_OP, nodes, t),
    restartService: (nodes: readonly string[], t: Aggregated & { id: string }) =>
      callNodes(this.caller, RESTART_SERVICE_OP, nodes, t),
    etcdStatus: (nodes: readonly string[], t: Aggregated = {}) =>
      callNodes(this.caller, ETCD_STATUS_OP, nodes, t),
    etcdMembers: (nodes: readonly string[], t: Aggregated & { queryLocal?: boolean } = {}) =>
      callNodes(this.caller, ETCD_MEMBERS_OP, nodes, t),
    logsContainers: (nodes: readonly string[], t: Aggregated = {}) =>
      callNodes(this.caller, LOGS_CONTAINERS_OP, nodes, t),
    memory: (nodes: readonly string[], t: Aggregated = {}) => callNodes(this.caller, MEMORY_OP, nodes, t),
    systemStat: (nodes: readonly string[], t: Aggregated = {}) =>
      callNodes(this.caller, SYSTEM_STAT_OP, nodes, t),
    containers: (nodes: readonly string[], t: Aggregated & { kubernetes?: boolean } = {}) =>
      callNodes(this.caller, CONTAINERS_OP, nodes, t),
    legacyUpgrade: (nodes: readonly string[], o: Aggregated & LegacyUpgradeRequest) =>
      callNodes(this.caller, LEGACY_UPGRADE_OP, nodes, o),
    reboot: (nodes: readonly string[], o: Aggregated & { mode?: "default" | "powercycle" | "force" } = {}) =>
      callNodes(this.caller, REBOOT_OP, nodes, o),
    rollback: (nodes: readonly string[], t: Aggregated = {}) => callNodes(this.caller, ROLLBACK_OP, nodes, t),
    applyConfiguration: (
      nodes: readonly string[],
      o: Aggregated & { config: string; mode?: ApplyMode; dryRun?: boolean },
    ) => callNodes(this.caller, APPLY_CONFIGURATION_OP, nodes, o),
    /** Log lines of several nodes, reassembled per node; a failing node yields one `{ node, error }`. */
    logs: (nodes: readonly string[], o: Omit<LogsOptions, "node">) => logsAggregated(this.caller, nodes, o),
    /** Kernel messages of several nodes, one record per line; a failing node yields one `{ node, error }`. */
    dmesg: (nodes: readonly string[], o: Omit<DmesgOptions, "node"> = {}) =>
      dmesgAggregated(this.caller, nodes, o),
    /** Events of several nodes, `ready` once each said hello (or failed); a failing node yields `{ node, error }`. */
    events: (nodes: readonly string[], o: Omit<EventsOptions, "node"> = {}) =>
      eventsAggregated(this.caller, nodes, o),
  };
}

/** Options of an aggregated call: deadline and signal (the nodes are its first argument). */
type Aggregated = Omit<CallTarget, "node">;

/** Closes the process-wide channel pool (for shutdown and tests). */
export function closeSharedPool(): void {
  sharedPool?.close();
  sharedPool = undefined;
}
