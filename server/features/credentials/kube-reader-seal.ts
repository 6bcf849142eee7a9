// Sealing of an imported read-only kubeconfig, bound to its cluster: moved to another cluster's row, it
// does not open.
import { open, seal } from "../../platform/secrets/seal";
import type { SecretKey } from "../../platform/secrets/secret-key";

const sealingContext = (clusterId: string) => `kube-reader:${clusterId}`;

export const sealKubeReader = (
  key: SecretKey,
  clusterId: string,
  kubeconfig: string,
): Uint8Array<ArrayBuffer> => new Uint8Array(seal(key, kubeconfig, sealingContext(clusterId)));

export const openKubeReader = (key: SecretKey, clusterId: string, sealed: Uint8Array): string =>
  open(key, sealed, sealingContext(clusterId)).toString("utf8");
