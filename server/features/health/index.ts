// The health model (docs/health.md): pure functions from collected facts to a state and a reason.

export { ago, HEALTH_STATES, type Health, SEVERITY, worst } from "../../model/health-words";
export { type ClusterFacts, type ClusterMachine, type ClusterVerdict, clusterHealth } from "./cluster-health";
export {
  CRITICAL_SERVICES,
  currentHealth,
  DEFAULT_SLOW_AFTER_MS,
  DEFAULT_STALE_AFTER_MS,
  type HealthVerdict,
  type MachineFacts,
  type MachineHealthOptions,
  machineHealth,
  type ServiceState,
} from "./machine-health";
export { type RollupItem, type RollupVerdict, rollupBySite, rollupHealth } from "./rollup";
