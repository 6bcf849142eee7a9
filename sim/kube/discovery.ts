// What the API server says about itself: /version, /api, /apis and the resource lists kubectl and client
// libraries discover before they call (only the resources and verbs the simulator serves).
import type { Resource } from "./store";

export interface ResourceDef {
  resource: Resource;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  singular: string;
}

export const RESOURCES: ResourceDef[] = [
  {
    resource: "namespaces",
    group: "",
    version: "v1",
    kind: "Namespace",
    namespaced: false,
    verbs: ["get", "list", "watch"],
    shortNames: ["ns"],
    singular: "namespace",
  },
  {
    resource: "nodes",
    group: "",
    version: "v1",
    kind: "Node",
    namespaced: false,
    verbs: ["get", "list", "patch", "update", "watch"],
    shortNames: ["no"],
    singular: "node",
  },
  {
    resource: "pods",
    group: "",
    version: "v1",
    kind: "Pod",
    namespaced: true,
    verbs: ["delete", "get", "list", "watch"],
    shortNames: ["po"],
    singular: "pod",
  },
  {
    resource: "daemonsets",
    group: "apps",
    version: "v1",
    kind: "DaemonSet",
    namespaced: true,
    verbs: ["get", "list", "watch"],
    shortNames: ["ds"],
    singular: "daemonset",
  },
  {
    resource: "deployments",
    group: "apps",
    version: "v1",
    kind: "Deployment",
    namespaced: true,
    verbs: ["get", "list", "watch"],
    shortNames: ["deploy"],
    singular: "deployment",
  },
  {
    resource: "replicasets",
    group: "apps",
    version: "v1",
    kind: "ReplicaSet",
    namespaced: true,
    verbs: ["get", "list", "watch"],
    shortNames: ["rs"],
    singular: "replicaset",
  },
  {
    resource: "statefulsets",
    group: "apps",
    version: "v1",
    kind: "StatefulSet",
    namespaced: true,
    verbs: ["get", "list", "watch"],
    shortNames: ["sts"],
    singular: "statefulset",
  },
  {
    resource: "poddisruptionbudgets",
    group: "policy",
    version: "v1",
    kind: "PodDisruptionBudget",
    namespaced: true,
    verbs: ["get", "list", "watch"],
    shortNames: ["pdb"],
    singular: "poddisruptionbudget",
  },
];

export function findResource(group: string, version: string, name: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === name);
}

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

export function versionInfo(gitVersion: string) {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "0",
    emulationMajor: m?.[1] ?? "1",
    emulationMinor: m?.[2] ?? "0",
    gitVersion,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2025-01-01T00:00:00Z",
    goVersion: "go1.24.9",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

const GROUPS = ["apps", "authorization.k8s.io", "policy"];

function group(name: string) {
  const gv = { groupVersion: `${name}/v1`, version: "v1" };
  return { name, versions: [gv], preferredVersion: gv };
}

export function apiGroupList() {
  return { kind: "APIGroupList", apiVersion: "v1", groups: GROUPS.map(group) };
}

export function apiGroup(name: string) {
  return GROUPS.includes(name) ? { kind: "APIGroup", apiVersion: "v1", ...group(name) } : undefined;
}

/** APIResourceList of one group version; core v1 lists pods/eviction in group policy, as the real one does. */
export function resourceList(groupName: string, version: string) {
  if (groupName === "authorization.k8s.io" && version === "v1") {
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: "authorization.k8s.io/v1",
      resources: [
        {
          name: "selfsubjectaccessreviews",
          singularName: "selfsubjectaccessreview",
          namespaced: false,
          kind: "SelfSubjectAccessReview",
          verbs: ["create"],
        },
      ],
    };
  }
  const defs = RESOURCES.filter((r) => r.group === groupName && r.version === version);
  if (defs.length === 0) return undefined;
  const resources: Array<Record<string, unknown>> = defs.map((r) => ({
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    storageVersionHash: Buffer.from(`${r.group}/${r.version}/${r.kind}`).toString("base64").slice(0, 11),
  }));
  if (groupName === "") {
    resources.push({
      name: "pods/eviction",
      singularName: "",
      namespaced: true,
      group: "policy",
      version: "v1",
      kind: "Eviction",
      verbs: ["create"],
    });
    resources.push({ name: "pods/status", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
    resources.push({
      name: "nodes/status",
      singularName: "",
      namespaced: false,
      kind: "Node",
      verbs: ["get"],
    });
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources: resources.sort((a, b) => String(a.name).localeCompare(String(b.name))),
  };
}
