// Programmatic entry of the Talos fleet simulator: start a fleet, get its talosconfig and control API, stop it.
import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import path from "node:path";
import { SimClock } from "./clock";
import { ClusterServer } from "./cluster-server";
import { startControlApi } from "./control-api";
import { SimFleet } from "./fleet";
import { buildFleetSpec } from "./fleet-spec";
import { KubeFleet } from "./kube";
import { kubeNodeName } from "./kube/workloads";
import { issueClientCert, issueServerCert, loadOrCreateCa, type TalosRole, writeTalosconfig } from "./pki";
import { ImageRegistry, type RegistryOptions } from "./registry";

export type { NodeFaults } from "./faults";
export { buildFleetSpec } from "./fleet-spec";
export type { ClusterKubeSummary } from "./kube";
// Realistic log lines in the formats Talos's services write (for tests of log parsing).
export { etcdLine, goStdLine, kubeletLine, logrusLine, machinedLine, zapConsoleLine } from "./log-formats";
// Talos-shaped certificates and talosconfigs (for credentials of simulated clusters).
export {
  type CertificateAuthority,
  type ClientCertOptions,
  createCa,
  EKU_CLIENT_AUTH,
  EKU_SERVER_AUTH,
  issueClientCert,
  loadCa,
  renderTalosconfig,
  type TalosconfigContext,
  toTalosKeyPem,
} from "./pki";
export type { RegistryStats } from "./registry";
export type { UpgradeCall } from "./upgrade-calls";

/** A fault to inject at start: the node (address or hostname) and the same body the control API takes. */
export interface StartupFault {
  node: string;
  kind: string;
  [key: string]: unknown;
}

export interface SimulatorOptions {
  clusters: number;
  nodesPerCluster: number;
  /** Default 50000; 0 picks one free port, used for every cluster endpoint. */
  port?: number;
  stateDir: string;
  role?: "os:admin" | "os:operator" | "os:reader";
  timeScale?: number;
  seed?: string;
  /** Port of the control API on 127.0.0.1; 0 (default) picks a free one. */
  controlPort?: number;
  faults?: StartupFault[];
  /** Where to write the talosconfig (default <stateDir>/talosconfig). */
  talosconfigPath?: string;
  registry?: RegistryOptions;
  /** Every node starts on this Talos release of the catalog (default: a seeded mix). */
  talosVersion?: string;
  /** No node starts with an issue (by default a few have an unhealthy kubelet or a node not ready). */
  healthy?: boolean;
  /** Serve a Kubernetes API per cluster (default true). */
  kube?: boolean;
  /** Port of every cluster's Kubernetes API on its endpoint address: 0 picks one free port; default 6443, or 0 when `port` is 0. */
  kubePort?: number;
}

export interface RunningSimulator {
  talosconfig: string;
  talosconfigPath: string;
  controlUrl: string;
  clusters: Array<{
    name: string;
    endpoint: string;
    nodes: Array<{
      hostname: string;
      address: string;
      role: "controlplane" | "worker";
      talosVersion: string;
      /** The Kubernetes node name (the Nodename resource). */
      nodeName: string;
    }>;
    /** `https://<endpoint address>:<kube port>` (nothing listens there with `kube: false`). */
    kubeEndpoint: string;
    /** The cluster's Kubernetes CA certificate (PEM), made on first use and kept in the state dir. */
    kubeCa(): Promise<string>;
    /** An admin kubeconfig for the cluster, the same MachineService.Kubeconfig returns (without the tar.gz). */
    kubeconfig(): Promise<string>;
  }>;
  /** Kubernetes statistics, as `GET /kube` of the control API returns them. */
  kubeStats(): ReturnType<KubeFleet["stats"]>;
  stop(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const stateDir = path.resolve(opts.stateDir);
  await mkdir(stateDir, { recursive: true });
  const ca = await loadOrCreateCa(stateDir);
  const clock = new SimClock(opts.timeScale ?? 1);
  const spec = buildFleetSpec({
    seed: opts.seed ?? "minos",
    clusters: opts.clusters,
    nodesPerCluster: opts.nodesPerCluster,
    talosVersion: opts.talosVersion,
    healthy: opts.healthy,
  });
  const fleet = new SimFleet(spec, clock, new ImageRegistry(clock, opts.registry));
  // a caller asking for a free Talos port (tests, parallel simulators) gets a free Kubernetes port too
  const kubePort = opts.kubePort ?? (opts.port === 0 ? 0 : 6443);
  const kube = new KubeFleet(fleet, { stateDir, enabled: opts.kube ?? true, port: kubePort });
  fleet.kube = kube;
  for (const f of opts.faults ?? []) {
    const node = fleet.find(f.node);
    if (!node) throw new Error(`fault for unknown node "${f.node}"`);
    fleet.setFault(node, f);
  }

  const servers: ClusterServer[] = [];
  let port = opts.port ?? 50000;
  let control: { server: Server; url: string } | null = null;
  const stopAll = async () => {
    fleet.stop();
    kube.stop();
    for (const s of servers) s.stop();
    if (control) {
      const c = control.server;
      c.closeAllConnections();
      await new Promise<void>((resolve) => c.close(() => resolve()));
    }
  };
  try {
    // certificates are independent: issue them in parallel batches, then bind (the first bind picks the port)
    const certs: Array<Awaited<ReturnType<typeof issueServerCert>>> = [];
    for (let i = 0; i < fleet.clusters.length; i += 64) {
      const batch = fleet.clusters.slice(i, i + 64).map((cluster) =>
        issueServerCert(ca, {
          ips: [...cluster.nodes.map((n) => n.address), "127.0.0.1"],
          dnsNames: [cluster.endpoint.hostname, "localhost"],
        }),
      );
      certs.push(...(await Promise.all(batch)));
    }
    for (const [i, cluster] of fleet.clusters.entries()) {
      const cert = certs[i];
      if (!cert) throw new Error("missing server certificate");
      const server = new ClusterServer(fleet, cluster, ca.certPem, cert, port);
      const bound = await server.start(port);
      if (port === 0) port = bound;
      server.port = bound;
      servers.push(server);
    }
    const byEndpoint = new Map(servers.map((s) => [s.cluster.endpoint, s]));
    fleet.onApiState((node, up) => byEndpoint.get(node)?.setUp(up));
    await kube.start();
    control = await startControlApi(fleet, opts.controlPort ?? 0, kube);
  } catch (err) {
    await stopAll();
    throw err;
  }

  const client = await issueClientCert(ca, { role: (opts.role ?? "os:admin") as TalosRole });
  const talosconfigPath = path.resolve(opts.talosconfigPath ?? path.join(stateDir, "talosconfig"));
  const withPort = (addr: string) => (port === 50000 ? addr : `${addr}:${port}`);
  const talosconfig = await writeTalosconfig(
    talosconfigPath,
    fleet.clusters.map((c) => ({
      name: c.spec.name,
      endpoints: [withPort(c.endpoint.address)],
      nodes: c.nodes.map((n) => n.address),
      caPem: ca.certPem,
      certPem: client.certPem,
      keyPem: client.keyPem,
    })),
  );

  return {
    talosconfig,
    talosconfigPath,
    controlUrl: control.url,
    clusters: fleet.clusters.map((c) => ({
      name: c.spec.name,
      endpoint: `${c.endpoint.address}:${port}`,
      nodes: c.nodes.map((n) => ({
        hostname: n.hostname,
        address: n.address,
        role: n.spec.role,
        talosVersion: n.talosVersion,
        nodeName: kubeNodeName(n),
      })),
      kubeEndpoint: kube.serverUrl(c),
      kubeCa: async () => (await kube.ca(c)).certPem,
      kubeconfig: () => kube.kubeconfigText(c),
    })),
    kubeStats: () => kube.stats(),
    stop: stopAll,
  };
}
