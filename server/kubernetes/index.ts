// The Kubernetes layer: one cluster's Kubernetes API through the official client, and the node operations
// built on it (cordon with ownership, drain through the Eviction API, waiting for Ready).
export {
  type CordonOwner,
  type CordonResult,
  cordon,
  cordonOf,
  describeCordon,
  MINOS_CORDON_ANNOTATION,
  TALOS_CORDON_ANNOTATION,
  uncordon,
} from "./cordon";
export { type DrainOptions, type DrainProgress, type DrainResult, DrainTimeoutError, drain } from "./drain";
export { KubeError } from "./errors";
export { type KubeCall, KubeClient, type KubeconfigFacts, loadKubeconfig } from "./kube-client";
export { selectorMatches } from "./label-selector";
export {
  describeReadiness,
  NodeNotReadyError,
  type NodeReadiness,
  readinessOf,
  waitNodeReady,
} from "./node-ready";
export {
  controllerOf,
  isDaemonSetPod,
  isMirrorPod,
  podName,
  podsToEvict,
  type TroubledPod,
  troubledPods,
  usesEmptyDir,
  workloadPods,
} from "./pods";
