// The objects a simulated cluster starts with, deterministic from the fleet seed: namespaces, Nodes, Talos's
// bootstrap DaemonSets and CoreDNS, a small shop workload with a PodDisruptionBudget, and pod templates.
import type { SimCluster } from "../fleet";
import { stableUuid } from "../ids";
import type { SimNode } from "../node";
import type { Rng } from "../rng";
import { type KubeObject, kubeTime, type OwnerReference, type Toleration } from "./objects";

/** k8s.io/apimachinery/pkg/util/rand's alphabet (no vowels, no confusable digits). */
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

export function randString(r: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(r.next() * ALPHANUMS.length)];
  return s;
}

/** The Kubernetes node name of a machine: its Nodename resource (the hostname, lowercased). */
export function kubeNodeName(node: SimNode): string {
  return node.hostname.toLowerCase();
}

export const SHOP = "shop";
export const KUBE_SYSTEM = "kube-system";
export const VAULT_NS = "vault";

/** The Node-role taint Talos puts on control planes. */
export const CONTROL_PLANE_TAINT = {
  key: "node-role.kubernetes.io/control-plane",
  effect: "NoSchedule" as const,
};

/** Tolerations every pod gets from the DefaultTolerationSeconds admission plugin (300 s). */
export const DEFAULT_TOLERATIONS: Toleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

export interface Ids {
  uid(what: string): string;
}

export function meta(
  ids: Ids,
  name: string,
  namespace: string | undefined,
  createdMs: number,
  extra: Partial<KubeObject["metadata"]> = {},
): KubeObject["metadata"] {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: ids.uid(`${namespace ?? ""}/${name}/${createdMs}`),
    resourceVersion: "0",
    creationTimestamp: kubeTime(createdMs),
    ...extra,
  };
}

export function nodeObject(ids: Ids, node: SimNode, index: number, createdMs: number): KubeObject {
  const name = kubeNodeName(node);
  const cp = node.isControlPlane;
  const r = node.release;
  const memKi = node.spec.memTotalKb;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: meta(ids, name, undefined, createdMs, {
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        ...(cp
          ? {
              "node-role.kubernetes.io/control-plane": "",
              "node.kubernetes.io/exclude-from-external-load-balancers": "",
            }
          : {}),
      },
      annotations: {
        "flannel.alpha.coreos.com/backend-type": "vxlan",
        "flannel.alpha.coreos.com/kube-subnet-manager": "true",
        "flannel.alpha.coreos.com/public-ip": node.address,
        "node.alpha.kubernetes.io/ttl": "0",
        "talos.dev/owned-labels": cp ? '["node-role.kubernetes.io/control-plane"]' : "[]",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    }),
    spec: {
      podCIDR: `10.244.${index}.0/24`,
      podCIDRs: [`10.244.${index}.0/24`],
      ...(cp ? { taints: [{ ...CONTROL_PLANE_TAINT }] } : {}),
    },
    status: {
      capacity: {
        cpu: String(node.spec.cpus),
        "ephemeral-storage": "104266732Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        memory: `${memKi}Ki`,
        pods: "110",
      },
      allocatable: {
        cpu: `${node.spec.cpus * 1000 - 50}m`,
        "ephemeral-storage": "95827591030",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        memory: `${memKi - 350 * 1024}Ki`,
        pods: "110",
      },
      conditions: [],
      addresses: [
        { type: "InternalIP", address: node.address },
        { type: "Hostname", address: node.hostname },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: stableUuid(`${node.env.seed}/machine-id/${node.spec.index}`).replace(/-/g, ""),
        systemUUID: stableUuid(`${node.env.seed}/system-uuid/${node.spec.index}`),
        bootID: node.bootId,
        kernelVersion: r.kernel,
        osImage: `Talos (${node.talosVersion})`,
        containerRuntimeVersion: `containerd://${r.containerd.replace(/^v/, "")}`,
        kubeletVersion: node.kubernetesVersion,
        kubeProxyVersion: node.kubernetesVersion,
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}

export interface PodTemplate {
  labels: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a pod spec, served as JSON
  spec: any;
}

function container(name: string, image: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    resources: { requests: { cpu: "100m", memory: "64Mi" } },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    ...extra,
  };
}

function podSpec(containers: unknown[], extra: Record<string, unknown> = {}) {
  return {
    containers,
    dnsPolicy: "ClusterFirst",
    enableServiceLinks: true,
    preemptionPolicy: "PreemptLowerPriority",
    priority: 0,
    restartPolicy: "Always",
    schedulerName: "default-scheduler",
    securityContext: {},
    serviceAccount: "default",
    serviceAccountName: "default",
    terminationGracePeriodSeconds: 30,
    ...extra,
  };
}

const CP_TOLERATION: Toleration = { key: CONTROL_PLANE_TAINT.key, operator: "Exists", effect: "NoSchedule" };

export function workloadObjects(
  ids: Ids,
  cluster: SimCluster,
  r: Rng,
  createdMs: number,
): { objects: Array<{ resource: string; object: KubeObject }>; bare: boolean } {
  const workers = cluster.nodes.filter((n) => !n.isControlPlane).length;
  const onControlPlanes = workers === 0;
  const k8s = cluster.spec.kubernetesVersion;
  const objects: Array<{ resource: string; object: KubeObject }> = [];
  const add = (resource: string, object: KubeObject) => objects.push({ resource, object });
  const m = (name: string, ns: string | undefined, extra: Partial<KubeObject["metadata"]> = {}) =>
    meta(ids, name, ns, createdMs, extra);

  for (const ns of ["default", "kube-node-lease", "kube-public", KUBE_SYSTEM, SHOP]) {
    add("namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: m(ns, undefined, { labels: { "kubernetes.io/metadata.name": ns } }),
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  }

  const nodeTolerations: Toleration[] = [
    { operator: "Exists", effect: "NoSchedule" },
    { operator: "Exists", effect: "NoExecute" },
  ];
  const daemonSet = (name: string, labels: Record<string, string>, image: string): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: m(name, KUBE_SYSTEM, {
      generation: 1,
      labels,
      annotations: { "deprecated.daemonset.template.generation": "1" },
    }),
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: podSpec([container(name, image)], {
          priorityClassName: "system-node-critical",
          priority: 2000001000,
          hostNetwork: true,
          tolerations: nodeTolerations,
          serviceAccount: name,
          serviceAccountName: name,
        }),
      },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {},
  });
  add(
    "daemonsets",
    daemonSet("kube-proxy", { "k8s-app": "kube-proxy", tier: "node" }, `registry.k8s.io/kube-proxy:${k8s}`),
  );
  add(
    "daemonsets",
    daemonSet("kube-flannel", { "k8s-app": "flannel", tier: "node" }, "ghcr.io/siderolabs/flannel:v0.27.4"),
  );

  const deployment = (
    name: string,
    ns: string,
    replicas: number,
    labels: Record<string, string>,
    spec: unknown,
  ): void => {
    const hash = randString(r, 10);
    const tmplLabels = { ...labels, "pod-template-hash": hash };
    const d: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: m(name, ns, {
        generation: 1,
        labels,
        annotations: { "deployment.kubernetes.io/revision": "1" },
      }),
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    };
    add("deployments", d);
    add("replicasets", {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: m(`${name}-${hash}`, ns, {
        generation: 1,
        labels: tmplLabels,
        annotations: {
          "deployment.kubernetes.io/desired-replicas": String(replicas),
          "deployment.kubernetes.io/max-replicas": String(replicas + Math.ceil(replicas / 4)),
          "deployment.kubernetes.io/revision": "1",
        },
        ownerReferences: [ownerOf(d)],
      }),
      spec: {
        replicas,
        selector: { matchLabels: tmplLabels },
        template: { metadata: { labels: tmplLabels }, spec },
      },
      status: {},
    });
  };

  deployment(
    "coredns",
    KUBE_SYSTEM,
    2,
    { "k8s-app": "kube-dns" },
    podSpec([container("coredns", "registry.k8s.io/coredns/coredns:v1.12.4")], {
      dnsPolicy: "Default",
      priorityClassName: "system-cluster-critical",
      priority: 2000000000,
      serviceAccount: "coredns",
      serviceAccountName: "coredns",
      tolerations: [CP_TOLERATION, { key: "CriticalAddonsOnly", operator: "Exists" }],
    }),
  );

  const shopTolerations = onControlPlanes ? { tolerations: [CP_TOLERATION] } : {};
  const tills = Math.max(2, workers);
  deployment(
    "tills",
    SHOP,
    tills,
    { app: "tills" },
    podSpec(
      [
        container("tills", "ghcr.io/example/tills:2.4.1", {
          ports: [{ containerPort: 8080, protocol: "TCP" }],
        }),
      ],
      shopTolerations,
    ),
  );
  deployment(
    "web",
    SHOP,
    2,
    { app: "web" },
    podSpec(
      [
        container("web", "docker.io/library/nginx:1.29", {
          volumeMounts: [{ name: "cache", mountPath: "/var/cache/nginx" }],
        }),
      ],
      { ...shopTolerations, volumes: [{ name: "cache", emptyDir: {} }] },
    ),
  );
  add("poddisruptionbudgets", {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: m("tills-pdb", SHOP, { generation: 1 }),
    spec: { minAvailable: tills - 1, selector: { matchLabels: { app: "tills" } } },
    status: {},
  });
  const ledgerLabels = { app: "ledger" };
  add("statefulsets", {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: m("ledger", SHOP, { generation: 1 }),
    spec: {
      replicas: r.int(1, 3),
      serviceName: "ledger",
      podManagementPolicy: "OrderedReady",
      selector: { matchLabels: ledgerLabels },
      template: {
        metadata: { labels: ledgerLabels },
        spec: podSpec([container("ledger", "ghcr.io/example/ledger:1.9.0")], shopTolerations),
      },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {},
  });
  const bare = r.chance(0.35);
  return { objects, bare };
}

export function ownerOf(o: KubeObject): OwnerReference {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    uid: o.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The bare pod (no controller) a few clusters carry: gone for good once evicted or deleted. */
export function debugShellTemplate(onControlPlanes: boolean): PodTemplate {
  return {
    labels: { run: "debug-shell" },
    spec: podSpec(
      [
        container("debug-shell", "docker.io/library/busybox:1.37", {
          command: ["sleep", "infinity"],
          stdin: true,
          tty: true,
        }),
      ],
      {
        restartPolicy: "Always",
        ...(onControlPlanes ? { tolerations: [CP_TOLERATION] } : {}),
      },
    ),
  };
}

/** The StatefulSet and its PDB a `pdb-block` fault puts on the blocked nodes: maxUnavailable 0, never evictable. */
export function vaultObjects(
  ids: Ids,
  nodeNames: string[],
  createdMs: number,
): Array<{ resource: string; object: KubeObject }> {
  const labels = { app: "vault" };
  const m = (name: string, ns: string | undefined, extra: Partial<KubeObject["metadata"]> = {}) =>
    meta(ids, name, ns, createdMs, extra);
  return [
    {
      resource: "namespaces",
      object: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: m(VAULT_NS, undefined, { labels: { "kubernetes.io/metadata.name": VAULT_NS } }),
        spec: { finalizers: ["kubernetes"] },
        status: { phase: "Active" },
      },
    },
    {
      resource: "statefulsets",
      object: {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: m("vault", VAULT_NS, { generation: 1 }),
        spec: {
          replicas: nodeNames.length,
          serviceName: "vault",
          podManagementPolicy: "Parallel",
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: podSpec([container("vault", "docker.io/hashicorp/vault:1.20.4")], {
              tolerations: [CP_TOLERATION],
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                      {
                        matchExpressions: [
                          { key: "kubernetes.io/hostname", operator: "In", values: nodeNames },
                        ],
                      },
                    ],
                  },
                },
                podAntiAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [
                    { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" },
                  ],
                },
              },
            }),
          },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
          revisionHistoryLimit: 10,
        },
        status: {},
      },
    },
    {
      resource: "poddisruptionbudgets",
      object: {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: m("vault-pdb", VAULT_NS, { generation: 1 }),
        spec: { maxUnavailable: 0, selector: { matchLabels: labels } },
        status: {},
      },
    },
  ];
}
