// COSI resources a simulated node exposes (MachineStatus, Services, Members, BootID, …) with proto and YAML specs.
import { stringify } from "yaml";
import { MachineConfigSpec } from "@/proto/generated/resource/config/config";
import { MemberSpec as ClusterMemberSpec } from "@/proto/generated/resource/definitions/cluster/cluster";
import { MemberSpec as EtcdMemberSpec } from "@/proto/generated/resource/definitions/etcd/etcd";
import { Layer } from "@/proto/generated/resource/definitions/extensions/extensions";
import { NodenameSpec } from "@/proto/generated/resource/definitions/k8s/k8s";
import { HostnameStatusSpec, NodeAddressSpec } from "@/proto/generated/resource/definitions/network/network";
import {
  BootIDSpec,
  KernelCmdlineSpec,
  MachineStatusSpec,
  VersionSpec,
} from "@/proto/generated/resource/definitions/runtime/runtime";
import { ServiceSpec } from "@/proto/generated/resource/definitions/v1alpha1/v1alpha1";
import { ipBytes } from "./addresses";
import type { SimFleet } from "./fleet";
import { nodeIdentity } from "./ids";
import { kernelCmdline } from "./kernel-cmdline";
import { kubeNodeName } from "./kube/workloads";
import { machineConfigYaml } from "./machine-config";
import type { SimNode } from "./node";
import { installedExtensions } from "./node-extensions";
import { etcdMemberId } from "./node-info";
import { nodeSchematic } from "./schematic";
import { MACHINE_STAGE_NAMES } from "./wire";

export interface SimResource {
  id: string;
  version: string;
  created: Date;
  updated: Date;
  labels: Record<string, string>;
  protoSpec: Uint8Array;
  yamlSpec: string;
}

export interface ResourceType {
  type: string;
  namespace: string;
  /** Sensitive resources are served to os:admin only. */
  sensitive: boolean;
  list(node: SimNode, fleet: SimFleet): SimResource[];
}

const yaml = (v: unknown) => stringify(v, { indent: 4, lineWidth: 0 });

function res(
  node: SimNode,
  id: string,
  protoSpec: Uint8Array,
  spec: unknown,
  opts: { dynamic?: boolean; labels?: Record<string, string> } = {},
): SimResource {
  const created = new Date(node.bootTimeMs);
  return {
    id,
    version: String(opts.dynamic ? node.revision : 1),
    created,
    updated: opts.dynamic ? new Date(Math.max(node.bootTimeMs, Date.now() - 1)) : created,
    labels: opts.labels ?? {},
    protoSpec,
    yamlSpec: yaml(spec),
  };
}

const stageName = (stage: number) =>
  (MACHINE_STAGE_NAMES[stage] ?? "UNKNOWN").toLowerCase().replace(/_/g, " ");

const TYPES: ResourceType[] = [
  {
    type: "MachineStatuses.runtime.talos.dev",
    namespace: "runtime",
    sensitive: false,
    list: (node) => {
      const s = node.machineStatus();
      const spec = { stage: s.stage, status: { ready: s.ready, unmetConditions: s.unmetConditions } };
      return [
        res(
          node,
          "machine",
          MachineStatusSpec.encode(MachineStatusSpec.fromPartial(spec)).finish(),
          {
            stage: stageName(s.stage),
            status: { ready: s.ready, unmetConditions: s.unmetConditions },
          },
          { dynamic: true },
        ),
      ];
    },
  },
  {
    type: "Services.v1alpha1.talos.dev",
    namespace: "runtime",
    sensitive: false,
    list: (node) =>
      node.services().map((s) => {
        const spec = { running: s.state === "Running", healthy: s.health.healthy, unknown: s.health.unknown };
        return res(node, s.id, ServiceSpec.encode(spec).finish(), spec, { dynamic: true });
      }),
  },
  {
    type: "Members.cluster.talos.dev",
    namespace: "cluster",
    sensitive: false,
    list: (node, fleet) =>
      fleet
        .cluster(node)
        .nodes.filter((m) => !m.faults.left)
        .map((m) => {
          const cp = m.isControlPlane;
          const nodeId = nodeIdentity(m.env.seed, m.spec.index);
          const proto = ClusterMemberSpec.fromPartial({
            nodeId,
            addresses: [{ ip: Buffer.from(ipBytes(m.address)) }],
            hostname: m.hostname,
            machineType: cp ? 2 : 3,
            operatingSystem: `Talos (${m.talosVersion})`,
            controlPlane: cp ? { apiServerPort: "6443" } : undefined,
          });
          return res(node, m.hostname, ClusterMemberSpec.encode(proto).finish(), {
            nodeId,
            addresses: [m.address],
            hostname: m.hostname,
            machineType: cp ? "controlplane" : "worker",
            operatingSystem: `Talos (${m.talosVersion})`,
            ...(cp ? { controlPlane: { apiServerPort: 6443 } } : {}),
          });
        }),
  },
  {
    type: "Versions.runtime.talos.dev",
    namespace: "runtime",
    sensitive: false,
    list: (node) => {
      const spec = { version: node.talosVersion, name: "Talos" };
      return [res(node, "version", VersionSpec.encode(spec).finish(), spec, { dynamic: true })];
    },
  },
  {
    type: "BootIDs.runtime.talos.dev",
    namespace: "runtime",
    sensitive: false,
    list: (node) => [
      res(
        node,
        "boot-id",
        BootIDSpec.encode({ bootId: node.bootId }).finish(),
        { bootID: node.bootId },
        { dynamic: true },
      ),
    ],
  },
  {
    type: "EtcdMembers.etcd.talos.dev",
    namespace: "etcd",
    sensitive: false,
    list: (node) => {
      if (!node.isControlPlane) return [];
      const memberId = etcdMemberId(node).toString(16).padStart(16, "0");
      return [res(node, "local", EtcdMemberSpec.encode({ memberId }).finish(), { memberID: memberId })];
    },
  },
  {
    type: "Nodenames.kubernetes.talos.dev",
    namespace: "k8s",
    sensitive: false,
    list: (node) => {
      // NodenameController: the hostname, lowercased (Kubernetes node names are DNS-1123 subdomains)
      const spec = {
        nodename: kubeNodeName(node),
        hostnameVersion: "1",
        skipNodeRegistration: false,
      };
      return [res(node, "nodename", NodenameSpec.encode(spec).finish(), spec)];
    },
  },
  {
    type: "HostnameStatuses.net.talos.dev",
    namespace: "network",
    sensitive: false,
    list: (node) => {
      const spec = { hostname: node.hostname, domainname: "" };
      return [res(node, "hostname", HostnameStatusSpec.encode(spec).finish(), spec)];
    },
  },
  {
    type: "NodeAddresses.net.talos.dev",
    namespace: "network",
    sensitive: false,
    list: (node) =>
      ["current", "routed", "accumulative"].map((id) =>
        res(
          node,
          id,
          NodeAddressSpec.encode(
            NodeAddressSpec.fromPartial({
              addresses: [{ ip: Buffer.from(ipBytes(node.address)), prefixLength: 8 }],
            }),
          ).finish(),
          { addresses: [`${node.address}/8`], sortAlgorithm: "v1" },
        ),
      ),
  },
  {
    type: "Diagnostics.runtime.talos.dev",
    namespace: "runtime",
    sensitive: false,
    list: () => [],
  },
  {
    type: "ExtensionStatuses.runtime.talos.dev",
    namespace: "runtime",
    sensitive: false,
    list: (node) => {
      const layers = installedExtensions(node).map((e, i) => ({
        image: `${i}${e.name}.sqsh`,
        metadata: {
          name: e.name,
          version: `${node.talosVersion}`,
          author: e.author,
          description: e.description,
          compatibility: { talos: { version: `>= v1.11.0` } },
          extraInfo: "",
        },
      }));
      const schematic = nodeSchematic(node);
      if (schematic) {
        // the virtual extension Image Factory adds to every image it builds
        layers.push({
          image: `${layers.length}schematic.sqsh`,
          metadata: {
            name: "schematic",
            version: schematic.id,
            author: "Image Factory",
            description:
              "Virtual extension which specifies the schematic of the image built with Image Factory.",
            compatibility: { talos: { version: ">= 1.0.0" } },
            extraInfo: schematic.yaml,
          },
        });
      }
      return layers.map((spec, i) =>
        res(node, String(i), Layer.encode(Layer.fromPartial(spec)).finish(), spec),
      );
    },
  },
  {
    type: "KernelCmdlines.runtime.talos.dev",
    namespace: "runtime",
    sensitive: false,
    list: (node) => {
      const spec = { cmdline: kernelCmdline(node) };
      return [res(node, "cmdline", KernelCmdlineSpec.encode(spec).finish(), spec)];
    },
  },
  {
    type: "MachineConfigs.config.talos.dev",
    namespace: "config",
    sensitive: true,
    list: (node) => {
      const text = machineConfigYaml(node);
      const r = res(
        node,
        "v1alpha1",
        MachineConfigSpec.encode({ yamlMarshalled: Buffer.from(text) }).finish(),
        null,
      );
      return [{ ...r, version: String(node.configVersion), yamlSpec: text }];
    },
  },
  {
    type: "MachineTypes.config.talos.dev",
    namespace: "config",
    sensitive: false,
    list: (node) => [
      res(node, "machine-type", new Uint8Array([8, node.isControlPlane ? 2 : 3]), node.spec.role),
    ],
  },
];

const byType = new Map(TYPES.map((t) => [t.type, t]));
/** Types Talos marks Sensitive that the simulator does not model: still admin-only, never served. */
const SENSITIVE_SUFFIXES = [".secrets.talos.dev", "KubeletSpecs.kubernetes.talos.dev"];

export function resourceType(type: string): ResourceType | undefined {
  return byType.get(type);
}

export function isSensitiveType(type: string): boolean {
  return byType.get(type)?.sensitive ?? SENSITIVE_SUFFIXES.some((s) => type.endsWith(s));
}

export function resourceTypes(): readonly ResourceType[] {
  return TYPES;
}
