// Machine configuration documents per node (with their secrets), configuration drift and ApplyConfiguration.
import { createHash } from "node:crypto";
import { parse, stringify } from "yaml";
import type { SimNode } from "./node";
import { nodeSchematic } from "./schematic";

function secret(node: SimNode, what: string, len = 32): string {
  return createHash("sha256")
    .update(`${node.env.seed}/${node.spec.clusterIndex}/${what}`)
    .digest("base64")
    .slice(0, len);
}

function fakePem(node: SimNode, what: string, label: string): string {
  const body = createHash("sha512")
    .update(`${node.env.seed}/${node.spec.clusterIndex}/${what}`)
    .digest("base64");
  return Buffer.from(`-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`).toString("base64");
}

/** The v1alpha1 machine config a node of this cluster was given (secrets included: admins only). */
export function baseConfig(node: SimNode): Record<string, unknown> {
  const cp = node.isControlPlane;
  const cluster = node.spec.clusterName;
  const endpoint = node.spec.address.replace(/\.\d+$/, `.${node.spec.address.split(".")[3]}`);
  const schematic = nodeSchematic(node);
  const tokenA = secret(node, "token")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0");
  return {
    version: "v1alpha1",
    debug: false,
    persist: true,
    machine: {
      type: cp ? "controlplane" : "worker",
      token: `${tokenA.slice(0, 6)}.${tokenA.slice(6, 22)}`,
      ca: {
        crt: fakePem(node, "os-ca", "CERTIFICATE"),
        ...(cp ? { key: fakePem(node, "os-ca-key", "ED25519 PRIVATE KEY") } : { key: "" }),
      },
      certSANs: [],
      kubelet: {
        image: `ghcr.io/siderolabs/kubelet:${node.kubernetesVersion}`,
        defaultRuntimeSeccompProfileEnabled: true,
        disableManifestsDirectory: true,
      },
      network: { hostname: node.hostname },
      install: schematic
        ? {
            disk: "/dev/sda",
            image: `factory.talos.dev/installer/${schematic.id}:${node.spec.talosVersion}`,
            wipe: false,
          }
        : {
            disk: "/dev/sda",
            image: `ghcr.io/siderolabs/installer:${node.spec.talosVersion}`,
            wipe: false,
            extensions: node.spec.extensions.map((e) => ({ image: `ghcr.io/siderolabs/${e.name}:latest` })),
          },
      features: {
        rbac: true,
        stableHostname: true,
        apidCheckExtKeyUsage: true,
        diskQuotaSupport: true,
        kubePrism: { enabled: true, port: 7445 },
      },
    },
    cluster: {
      id: secret(node, "cluster-id", 43),
      secret: secret(node, "cluster-secret", 43),
      controlPlane: { endpoint: `https://${endpoint}:6443` },
      clusterName: cluster,
      network: {
        dnsDomain: "cluster.local",
        podSubnets: ["10.244.0.0/16"],
        serviceSubnets: ["10.96.0.0/12"],
      },
      token: `${secret(node, "k8s-token-a", 6)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "1")}.${secret(node, "k8s-token-b", 16)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "2")}`,
      ...(cp ? { secretboxEncryptionSecret: secret(node, "secretbox", 44) } : {}),
      ca: {
        crt: fakePem(node, "k8s-ca", "CERTIFICATE"),
        key: cp ? fakePem(node, "k8s-ca-key", "EC PRIVATE KEY") : "",
      },
      ...(cp
        ? {
            aggregatorCA: {
              crt: fakePem(node, "agg-ca", "CERTIFICATE"),
              key: fakePem(node, "agg-ca-key", "EC PRIVATE KEY"),
            },
            serviceAccount: { key: fakePem(node, "sa-key", "EC PRIVATE KEY") },
            apiServer: {
              image: `registry.k8s.io/kube-apiserver:${node.kubernetesVersion}`,
              certSANs: [endpoint],
            },
            etcd: {
              ca: {
                crt: fakePem(node, "etcd-ca", "CERTIFICATE"),
                key: fakePem(node, "etcd-ca-key", "EC PRIVATE KEY"),
              },
            },
          }
        : {}),
      discovery: { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } },
    },
  };
}

function setPath(doc: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let cur: Record<string, unknown> = doc;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== "object" || next === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (last) cur[last] = value;
}

/** The YAML the node currently runs: applied config if any, else the generated one, with drift on top. */
export function machineConfigYaml(node: SimNode): string {
  const doc = node.appliedConfig ? (parse(node.appliedConfig) as Record<string, unknown>) : baseConfig(node);
  if (node.faults.drift) setPath(doc, node.faults.drift.path, node.faults.drift.value);
  return stringify(doc, { lineWidth: 0 });
}

/** ApplyConfiguration: validates YAML and replaces the config (dry runs only validate). */
export function applyConfig(node: SimNode, data: Uint8Array, dryRun: boolean): string {
  const text = Buffer.from(data).toString("utf8");
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`failed to parse config: ${(err as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || (doc as { version?: unknown }).version !== "v1alpha1") {
    throw new Error("failed to parse config: unknown config version");
  }
  if (dryRun) return "Dry run summary:\nApplied configuration without a reboot (dry run)";
  node.appliedConfig = text;
  node.configVersion++;
  return "Applied configuration without a reboot";
}
