// The fields of Talos machine configuration documents (v1alpha1 and the typed documents of Talos 1.11–1.14),
// so a config patch aimed at a field that does not exist is rejected. Written from the Talos configuration
// reference; subtrees Talos leaves free-form (extraArgs, sysctls, extraConfig, …) accept any key.
import type { ConfigPath } from "./paths";

export type FieldNode =
  | { t: "scalar" }
  | { t: "any" }
  | { t: "map"; of: FieldNode }
  | { t: "list"; of: FieldNode }
  | { t: "object"; fields: Record<string, FieldNode> };

const S: FieldNode = { t: "scalar" };
const ANY: FieldNode = { t: "any" };
const obj = (fields: Record<string, FieldNode>): FieldNode => ({ t: "object", fields });
const map = (of: FieldNode = S): FieldNode => ({ t: "map", of });
const list = (of: FieldNode = S): FieldNode => ({ t: "list", of });
const keyPair = obj({ crt: S, key: S });
const component = obj({ image: S, extraArgs: map(), extraVolumes: list(ANY), env: map(), resources: ANY });

const MACHINE = obj({
  type: S,
  token: S,
  ca: keyPair,
  acceptedCAs: list(obj({ crt: S })),
  certSANs: list(),
  controlPlane: obj({ controllerManager: obj({ disabled: S }), scheduler: obj({ disabled: S }) }),
  kubelet: obj({
    image: S,
    clusterDNS: list(),
    extraArgs: map(),
    extraMounts: list(ANY),
    extraConfig: ANY,
    credentialProviderConfig: ANY,
    defaultRuntimeSeccompProfileEnabled: S,
    registerWithFQDN: S,
    nodeIP: obj({ validSubnets: list() }),
    skipNodeRegistration: S,
    disableManifestsDirectory: S,
  }),
  pods: list(ANY),
  network: obj({
    hostname: S,
    interfaces: list(ANY),
    nameservers: list(),
    searchDomains: list(),
    extraHostEntries: list(ANY),
    kubespan: obj({
      enabled: S,
      advertiseKubernetesNetworks: S,
      allowDownPeerBypass: S,
      harvestExtraEndpoints: S,
      mtu: S,
      filters: ANY,
    }),
    disableSearchDomain: S,
  }),
  disks: list(ANY),
  install: obj({
    disk: S,
    diskSelector: ANY,
    extraKernelArgs: list(),
    image: S,
    extensions: list(obj({ image: S })),
    wipe: S,
    legacyBIOSSupport: S,
    grubUseUKICmdline: S,
  }),
  files: list(obj({ content: S, permissions: S, path: S, op: S })),
  env: map(),
  time: obj({ disabled: S, servers: list(), bootTimeout: S }),
  sysctls: map(),
  sysfs: map(),
  registries: obj({
    mirrors: map(obj({ endpoints: list(), overridePath: S, skipFallback: S })),
    config: map(
      obj({
        tls: obj({ insecureSkipVerify: S, clientIdentity: keyPair, ca: S }),
        auth: obj({ username: S, password: S, auth: S, identityToken: S }),
      }),
    ),
  }),
  systemDiskEncryption: obj({ state: ANY, ephemeral: ANY }),
  features: obj({
    rbac: S,
    stableHostname: S,
    kubernetesTalosAPIAccess: ANY,
    apidCheckExtKeyUsage: S,
    diskQuotaSupport: S,
    kubePrism: obj({ enabled: S, port: S }),
    hostDNS: obj({ enabled: S, forwardKubeDNSToHost: S, resolveMemberNames: S }),
    imageCache: obj({ localEnabled: S }),
    nodeAddressSortAlgorithm: S,
  }),
  udev: obj({ rules: list() }),
  logging: obj({ destinations: list(ANY) }),
  kernel: obj({ modules: list(obj({ name: S, parameters: list() })) }),
  seccompProfiles: list(ANY),
  nodeLabels: map(),
  nodeAnnotations: map(),
  nodeTaints: map(),
  baseRuntimeSpecOverrides: ANY,
});

const CLUSTER = obj({
  id: S,
  secret: S,
  controlPlane: obj({ endpoint: S, localAPIServerPort: S }),
  clusterName: S,
  network: obj({
    cni: obj({ name: S, urls: list(), flannel: ANY }),
    dnsDomain: S,
    podSubnets: list(),
    serviceSubnets: list(),
  }),
  token: S,
  aescbcEncryptionSecret: S,
  secretboxEncryptionSecret: S,
  ca: keyPair,
  acceptedCAs: list(obj({ crt: S })),
  aggregatorCA: keyPair,
  serviceAccount: obj({ key: S }),
  apiServer: obj({
    image: S,
    extraArgs: map(),
    extraVolumes: list(ANY),
    env: map(),
    certSANs: list(),
    disablePodSecurityPolicy: S,
    admissionControl: list(ANY),
    auditPolicy: ANY,
    resources: ANY,
    authorizationConfig: list(ANY),
  }),
  controllerManager: component,
  proxy: obj({ disabled: S, image: S, mode: S, extraArgs: map() }),
  scheduler: obj({
    image: S,
    extraArgs: map(),
    extraVolumes: list(ANY),
    env: map(),
    resources: ANY,
    config: ANY,
  }),
  discovery: obj({
    enabled: S,
    registries: obj({ kubernetes: obj({ disabled: S }), service: obj({ disabled: S, endpoint: S }) }),
  }),
  etcd: obj({ image: S, ca: keyPair, extraArgs: map(), advertisedSubnets: list(), listenSubnets: list() }),
  coreDNS: obj({ disabled: S, image: S }),
  externalCloudProvider: obj({ enabled: S, manifests: list() }),
  extraManifests: list(),
  extraManifestHeaders: map(),
  inlineManifests: list(obj({ name: S, contents: S })),
  adminKubeconfig: obj({ certLifetime: S }),
  allowSchedulingOnControlPlanes: S,
});

const V1ALPHA1_DOC = obj({ version: S, debug: S, persist: S, machine: MACHINE, cluster: CLUSTER });

/** Typed documents (apiVersion v1alpha1, kind …); their inner fields are not checked. */
export const TYPED_KINDS: ReadonlySet<string> = new Set([
  "SideroLinkConfig",
  "EventSinkConfig",
  "KmsgLogConfig",
  "WatchdogTimerConfig",
  "ExtensionServiceConfig",
  "TrustedRootsConfig",
  "VolumeConfig",
  "UserVolumeConfig",
  "RawVolumeConfig",
  "ExistingVolumeConfig",
  "SwapVolumeConfig",
  "ZswapConfig",
  "NetworkDefaultActionConfig",
  "NetworkRuleConfig",
  "EthernetConfig",
  "HostnameConfig",
  "ResolverConfig",
  "TimeSyncConfig",
  "KubeSpanEndpointsConfig",
  "StaticHostConfig",
  "Layer2VIPConfig",
  "HCloudVIPConfig",
  "LinkConfig",
  "LinkAliasConfig",
  "DHCPv4Config",
  "DHCPv6Config",
  "BondConfig",
  "VLANConfig",
  "BridgeConfig",
  "DummyLinkConfig",
  "WireguardConfig",
  "RegistryMirrorConfig",
  "RegistryAuthConfig",
  "RegistryTLSConfig",
  "ImageVerificationConfig",
  "OOMConfig",
  "PCIDriverRebindConfig",
  "EnvironmentConfig",
]);

export type PathCheck = { ok: true } | { ok: false; message: string };

/** Checks that a path names a field of a document of this kind; says which part is unknown and what exists there. */
export function checkFieldPath(kind: string, path: ConfigPath): PathCheck {
  if (kind !== "v1alpha1") {
    if (TYPED_KINDS.has(kind)) return { ok: true };
    return { ok: false, message: `unknown document kind "${kind}"` };
  }
  let node: FieldNode = V1ALPHA1_DOC;
  const walked: string[] = [];
  for (const seg of path) {
    if (node.t === "any" || node.t === "scalar") {
      if (node.t === "scalar") {
        return { ok: false, message: `${walked.join(".")} is a value, it has no field ${String(seg)}` };
      }
      return { ok: true };
    }
    if (node.t === "list") {
      if (typeof seg === "string") {
        return { ok: false, message: `${walked.join(".")} is a list, not a mapping with field "${seg}"` };
      }
      node = node.of;
      continue;
    }
    if (node.t === "map") {
      node = node.of;
      walked.push(String(seg));
      continue;
    }
    if (typeof seg !== "string")
      return { ok: false, message: `${walked.join(".")} is a mapping, not a list` };
    const next: FieldNode | undefined = node.fields[seg];
    if (!next) {
      const where = walked.length ? walked.join(".") : "the v1alpha1 document";
      const near = closest(seg, Object.keys(node.fields));
      return {
        ok: false,
        message: `${where} has no field "${seg}"${near ? ` (did you mean "${near}"?)` : ""}`,
      };
    }
    walked.push(seg);
    node = next;
  }
  return { ok: true };
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}
