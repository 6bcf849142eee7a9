// The kinds of machine events Minos stores: the decoded payload types of the Talos Events stream.
export const EVENT_KINDS = [
  "sequence",
  "phase",
  "task",
  "serviceState",
  "machineStatus",
  "address",
  "restart",
  "configLoadError",
  "configValidationError",
  "unknown",
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** How each kind is named in filters and badges. */
export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  sequence: "Sequence",
  phase: "Phase",
  task: "Task",
  serviceState: "Service",
  machineStatus: "Machine status",
  address: "Addresses",
  restart: "Restart",
  configLoadError: "Config load error",
  configValidationError: "Config validation error",
  unknown: "Other",
};
