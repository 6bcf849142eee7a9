// Public API of the Talos client: talosconfig parsing, TalosClient and its operations' types, typed errors.
export { ChannelPool } from "./channel-pool";
export { closeSharedPool, TalosClient, type TalosClientOptions } from "./client";
export {
  TalosCanceledError,
  TalosCredentialRetiredError,
  TalosconfigError,
  TalosDeadlineExceededError,
  TalosError,
  type TalosErrorKind,
  TalosNotFoundError,
  TalosPermissionDeniedError,
  TalosRequestError,
  TalosUnimplementedError,
  TalosUnreachableError,
  TalosVersionTooOldError,
} from "./errors";
export type { TalosEvent, TalosEventPayload } from "./event-decoder";
export { LineReader } from "./line-reader";
export type { CallTarget } from "./node-call";
export { callNode, type UnaryOperation } from "./operation";
export type { ApplyMode, ApplyResult } from "./operations/apply-config";
export type { EtcdMember, EtcdStatus } from "./operations/etcd";
export type { EventStream, EventsOptions } from "./operations/events";
export type { TalosVersion } from "./operations/identity";
export type { DmesgOptions, LogsOptions } from "./operations/logs";
export {
  BOOT_ID,
  type ClusterMember,
  MACHINE_CONFIG,
  MACHINE_STATUS,
  type MachineStatus,
  MEMBERS,
} from "./operations/machine-resources";
export type { RawResource, ResourceEvent, ResourceKind } from "./operations/resources";
export type { TalosService } from "./operations/services";
export type { ContainerInfo } from "./operations/system";
export { LIFECYCLE_MIN_VERSION, type PullProgress, versionAtLeast } from "./operations/upgrade";
export type { UpgradeFlowOptions, UpgradeProgress, UpgradeResult } from "./operations/upgrade-flow";
export { requiredRole, roleAllows, rolesFor, type TalosRole } from "./roles";
export { parseTalosconfig, selectContext, type TalosContext, type Talosconfig } from "./talosconfig";
