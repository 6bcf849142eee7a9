// What each Talos log source writes: startup lines after boot and periodic lines, generated on demand per node.
import { etcdLine, goStdLine, kubeletLine, logrusLine, machinedLine, zapConsoleLine } from "./log-formats";

export interface LogContext {
  index: number;
  hostname: string;
  address: string;
  role: "controlplane" | "worker";
  talosVersion: string;
  kubernetesVersion: string;
  etcdVersion: string;
  containerdVersion: string;
  clusterName: string;
}

export interface LogLine {
  t: number;
  text: string;
  /** The line's bytes when they are not valid UTF-8 text (injected through the control API). */
  raw?: Buffer;
}

interface SourceDef {
  /** Simulated milliseconds between periodic lines. */
  periodMs: number;
  startup(ctx: LogContext, t0: number): LogLine[];
  periodic(ctx: LogContext, k: number, t: number): string;
}

const pick = <T>(items: readonly T[], k: number, salt: number): T =>
  items[Math.abs((k * 2654435761 + salt * 40503) | 0) % items.length] as T;

const CONTROLLERS = [
  "network.AddressSpecController",
  "k8s.KubeletStaticPodController",
  "cluster.DiscoveryServiceController",
  "network.RouteStatusController",
  "runtime.MachineStatusController",
  "k8s.NodeStatusController",
  "time.SyncController",
];

const SOURCES: Record<string, SourceDef> = {
  machined: {
    periodMs: 600_000,
    startup: (c, t0) => [
      { t: t0, text: machinedLine(t0, `talos version: ${c.talosVersion}`) },
      { t: t0 + 5, text: machinedLine(t0 + 5, "initialize sequence: 5 phase(s)") },
      { t: t0 + 900, text: machinedLine(t0 + 900, "initialize sequence: done: 895ms") },
      { t: t0 + 950, text: machinedLine(t0 + 950, "boot sequence: 11 phase(s)") },
      { t: t0 + 1200, text: machinedLine(t0 + 1200, `setting hostname to "${c.hostname}"`) },
      { t: t0 + 6000, text: machinedLine(t0 + 6000, "task startAllServices (1/1): waiting for 8 services") },
      { t: t0 + 9800, text: machinedLine(t0 + 9800, "task startAllServices (1/1): done, 3.8s") },
      { t: t0 + 11000, text: machinedLine(t0 + 11000, "boot sequence: done: 10.05s") },
    ],
    periodic: (_c, k, t) =>
      machinedLine(
        t,
        pick(
          ["service[kubelet](Running): Health check successful", "fetching machine config from: metal"],
          k,
          1,
        ),
      ),
  },
  "controller-runtime": {
    periodMs: 45_000,
    startup: (_c, t0) =>
      CONTROLLERS.map((ctl, i) => ({
        t: t0 + 300 + i * 20,
        text: zapConsoleLine(t0 + 300 + i * 20, "INFO", "controller started", {
          component: "controller-runtime",
          controller: ctl,
        }),
      })),
    periodic: (c, k, t) =>
      k % 7 === 3
        ? zapConsoleLine(t, "WARN", "request failed", {
            component: "controller-runtime",
            controller: "cluster.DiscoveryServiceController",
            error: "rpc error: code = Unavailable desc = connection reset by peer",
          })
        : zapConsoleLine(t, "INFO", "assigned address", {
            component: "controller-runtime",
            controller: pick(CONTROLLERS, k, c.index),
            address: `${c.address}/8`,
            link: "eth0",
          }),
  },
  "dns-resolve-cache": {
    periodMs: 900_000,
    startup: (_c, t0) => [
      {
        t: t0 + 700,
        text: zapConsoleLine(t0 + 700, "INFO", "dns listener started", {
          component: "dns-resolve-cache",
          net: "udp",
        }),
      },
    ],
    periodic: (_c, _k, t) =>
      zapConsoleLine(t, "INFO", "dns upstream changed", {
        component: "dns-resolve-cache",
        upstreams: ["1.1.1.1"],
      }),
  },
  apid: {
    periodMs: 300_000,
    startup: (c, t0) => [
      { t: t0 + 6100, text: goStdLine(t0 + 6100, "main.go:78", `apid version: ${c.talosVersion}`) },
      { t: t0 + 6150, text: goStdLine(t0 + 6150, "main.go:154", "started apid on 0.0.0.0:50000") },
    ],
    periodic: (c, k, t) =>
      goStdLine(
        t,
        "director.go:164",
        `proxying request to backend ${c.address}:50000: /machine.MachineService/${pick(["Version", "ServiceList", "Hostname"], k, c.index)}`,
      ),
  },
  trustd: {
    periodMs: 1_800_000,
    startup: (_c, t0) => [
      { t: t0 + 6200, text: goStdLine(t0 + 6200, "main.go:82", "trustd listening on 0.0.0.0:50001") },
    ],
    periodic: (_c, _k, t) => goStdLine(t, "server.go:49", "received CSR signing request"),
  },
  containerd: {
    periodMs: 240_000,
    startup: (c, t0) => [
      {
        t: t0 + 1500,
        text: logrusLine(t0 + 1500, "info", "starting containerd", {
          revision: "f5f6f3b8",
          version: c.containerdVersion,
        }),
      },
      {
        t: t0 + 1600,
        text: logrusLine(t0 + 1600, "info", "serving...", {
          address: "/system/run/containerd/containerd.sock",
        }),
      },
      { t: t0 + 1610, text: logrusLine(t0 + 1610, "info", "containerd successfully booted in 0.082s") },
    ],
    periodic: (_c, k, t) => logrusLine(t, "info", "garbage collected", { d: `${1 + (k % 9)}.${k % 97}ms` }),
  },
  cri: {
    periodMs: 60_000,
    startup: (c, t0) => [
      {
        t: t0 + 3000,
        text: logrusLine(t0 + 3000, "info", "starting containerd", {
          revision: "f5f6f3b8",
          version: c.containerdVersion,
        }),
      },
      { t: t0 + 3100, text: logrusLine(t0 + 3100, "info", "Start cri plugin with config {...}") },
      {
        t: t0 + 3200,
        text: logrusLine(t0 + 3200, "info", "serving...", { address: "/run/containerd/containerd.sock" }),
      },
    ],
    periodic: (c, k, t) =>
      logrusLine(
        t,
        "info",
        pick(
          [
            "ImageCreate event",
            "StartContainer returns successfully",
            "RemoveContainer returns successfully",
          ],
          k,
          c.index,
        ),
        {
          name: `registry.k8s.io/pause:3.10`,
        },
      ),
  },
  etcd: {
    periodMs: 30_000,
    startup: (c, t0) => [
      {
        t: t0 + 7000,
        text: etcdLine(t0 + 7000, "info", "etcdmain/etcd.go:73", "Running: ", {
          args: ["/usr/local/bin/etcd", `--name=${c.hostname}`],
        }),
      },
      {
        t: t0 + 7100,
        text: etcdLine(t0 + 7100, "info", "embed/etcd.go:140", "configuring peer listeners", {
          "listen-peer-urls": [`https://${c.address}:2380`],
        }),
      },
      {
        t: t0 + 7400,
        text: etcdLine(
          t0 + 7400,
          "info",
          "etcdserver/server.go:2068",
          "published local member to cluster through raft",
          { "local-member-attributes": `{Name:${c.hostname} ClientURLs:[https://${c.address}:2379]}` },
        ),
      },
      {
        t: t0 + 7450,
        text: etcdLine(t0 + 7450, "info", "embed/serve.go:187", "serving client traffic securely", {
          address: `${c.address}:2379`,
        }),
      },
    ],
    periodic: (_c, k, t) =>
      k % 10 === 9
        ? etcdLine(t, "info", "mvcc/kvstore_compaction.go:72", "finished scheduled compaction", {
            "compact-revision": 100_000 + k * 173,
            took: "12.4ms",
          })
        : etcdLine(t, "info", "mvcc/index.go:214", "compact tree index", { revision: 100_000 + k * 173 }),
  },
  kubelet: {
    periodMs: 20_000,
    startup: (c, t0) => [
      {
        t: t0 + 8000,
        text: kubeletLine(t0 + 8000, "app/server.go:484", "Kubelet version", {
          kubeletVersion: c.kubernetesVersion,
        }),
      },
      {
        t: t0 + 8100,
        text: kubeletLine(t0 + 8100, "kubelet/kubelet.go:2489", "Starting kubelet main sync loop"),
      },
      {
        t: t0 + 8900,
        text: kubeletLine(t0 + 8900, "kubelet/kubelet_node_status.go:75", "Successfully registered node", {
          node: c.hostname,
        }),
      },
    ],
    periodic: (c, k, t) =>
      kubeletLine(
        t,
        "kubelet/kubelet.go:2468",
        pick(["SyncLoop (PLEG): event for pod", "SyncLoop UPDATE", "SyncLoop RECONCILE"], k, c.index),
        {
          pod: `kube-system/kube-proxy-${c.hostname}`,
        },
      ),
  },
  udevd: {
    periodMs: 3_600_000,
    startup: (_c, t0) => [
      { t: t0 + 2500, text: "udevd[412]: starting eudev-3.2.14" },
      { t: t0 + 2600, text: "udevd[412]: starting version 3.2.14" },
    ],
    periodic: () => "udevd[412]: Specified group 'tape' unknown",
  },
  auditd: {
    periodMs: 120_000,
    startup: (_c, t0) => [{ t: t0 + 400, text: "audit: backlog limit exceeded" }],
    periodic: (_c, k) =>
      `audit: type=1300 audit(${1700000000 + k}.123:${k}): arch=c000003e syscall=321 success=yes exit=0`,
  },
  syslogd: {
    periodMs: 1_200_000,
    startup: (_c, t0) => [{ t: t0 + 450, text: "syslogd: listening on /dev/log" }],
    periodic: (c, _k) => `<30>1 ${c.hostname} chronyd - - Selected source 162.159.200.1`,
  },
  dashboard: {
    periodMs: 86_400_000,
    startup: () => [],
    periodic: () => "",
  },
};

const extensionSource: SourceDef = {
  periodMs: 300_000,
  startup: (c, t0) => [{ t: t0 + 6500, text: `starting extension service on ${c.hostname}` }],
  periodic: (_c, k) => `extension heartbeat ${k}`,
};

export function logSource(id: string): SourceDef | undefined {
  return SOURCES[id] ?? (id.startsWith("ext-") ? extensionSource : undefined);
}

/** Log ids that are not services but still appear in LogsContainers. */
export const NON_SERVICE_LOGS = ["controller-runtime", "dns-resolve-cache"] as const;
