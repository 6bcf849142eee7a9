// Read-only facts about a node derived on demand: memory, CPU stats, containers, etcd membership, dmesg.

import type { SimCluster } from "./fleet";
import { stableUuid } from "./ids";
import { rfc3339Nano } from "./log-formats";
import type { SimNode } from "./node";

const MEMINFO_FIELDS = [
  "memtotal",
  "memfree",
  "memavailable",
  "buffers",
  "cached",
  "swapcached",
  "active",
  "inactive",
  "activeanon",
  "inactiveanon",
  "activefile",
  "inactivefile",
  "unevictable",
  "mlocked",
  "swaptotal",
  "swapfree",
  "dirty",
  "writeback",
  "anonpages",
  "mapped",
  "shmem",
  "slab",
  "sreclaimable",
  "sunreclaim",
  "kernelstack",
  "pagetables",
  "nfsunstable",
  "bounce",
  "writebacktmp",
  "commitlimit",
  "committedas",
  "vmalloctotal",
  "vmallocused",
  "vmallocchunk",
  "hardwarecorrupted",
  "anonhugepages",
  "shmemhugepages",
  "shmempmdmapped",
  "cmatotal",
  "cmafree",
  "hugepagestotal",
  "hugepagesfree",
  "hugepagesrsvd",
  "hugepagessurp",
  "hugepagesize",
  "directmap4k",
  "directmap2m",
  "directmap1g",
] as const;

/** /proc/meminfo-like figures in kB (uint64 as decimal strings, as the codec wants them). */
export function memInfo(
  node: SimNode,
  nowMs: number = Date.now(),
): Record<(typeof MEMINFO_FIELDS)[number], string> {
  const total = node.spec.memTotalKb;
  const wobble = Math.sin(nowMs / 60_000 + node.spec.index) * 0.03;
  const used = Math.floor(total * ((node.isControlPlane ? 0.42 : 0.33) + wobble));
  const cached = Math.floor(total * 0.21);
  const values: Record<string, number> = {
    memtotal: total,
    memfree: total - used - cached,
    memavailable: total - used,
    buffers: Math.floor(total * 0.01),
    cached,
    active: Math.floor(used * 0.7),
    inactive: Math.floor(cached * 0.6),
    activeanon: Math.floor(used * 0.55),
    inactiveanon: Math.floor(used * 0.05),
    activefile: Math.floor(cached * 0.4),
    inactivefile: Math.floor(cached * 0.6),
    anonpages: Math.floor(used * 0.6),
    mapped: Math.floor(cached * 0.2),
    shmem: 18_432,
    slab: Math.floor(total * 0.03),
    sreclaimable: Math.floor(total * 0.02),
    sunreclaim: Math.floor(total * 0.01),
    kernelstack: 12_000,
    pagetables: 9_800,
    commitlimit: Math.floor(total / 2),
    committedas: Math.floor(used * 1.4),
    vmalloctotal: 34_359_738_367,
    vmallocused: 60_000,
    hugepagesize: 2048,
    directmap4k: 300_000,
    directmap2m: Math.max(0, total - 300_000),
  };
  return Object.fromEntries(MEMINFO_FIELDS.map((f) => [f, String(values[f] ?? 0)])) as Record<
    (typeof MEMINFO_FIELDS)[number],
    string
  >;
}

export function cpuStats(node: SimNode, nowMs: number = Date.now()) {
  const up = (nowMs - node.bootTimeMs) / 1000;
  const busy = node.isControlPlane ? 0.18 : 0.1;
  const per = (i: number) => ({
    user: up * busy * (0.9 + (i % 3) * 0.05),
    nice: 0,
    system: up * busy * 0.35,
    idle: up * (1 - busy * 1.4),
    iowait: up * 0.004,
    irq: 0,
    softIrq: up * 0.002,
    steal: 0,
    guest: 0,
    guestNice: 0,
  });
  const cpu = Array.from({ length: node.spec.cpus }, (_, i) => per(i));
  const total = cpu.reduce(
    (a, c) => {
      for (const k of Object.keys(a) as Array<keyof typeof a>) a[k] += c[k];
      return a;
    },
    { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softIrq: 0, steal: 0, guest: 0, guestNice: 0 },
  );
  return { cpuTotal: total, cpu, uptimeSeconds: up };
}

/** etcd member id of a control-plane node: stable per seed, cluster and position. */
export function etcdMemberId(node: SimNode): bigint {
  const hex = stableUuid(
    `${node.env.seed}/etcd/${node.spec.clusterIndex}/${node.spec.indexInCluster}`,
  ).replace(/-/g, "");
  return BigInt(`0x${hex.slice(0, 16)}`) & 0x7fffffffffffffffn;
}

export function etcdMembers(cluster: SimCluster) {
  return cluster.nodes
    .filter((n) => n.isControlPlane && !n.faults.left)
    .map((n) => ({
      id: etcdMemberId(n).toString(),
      hostname: n.hostname,
      peerUrls: [`https://${n.address}:2380`],
      clientUrls: [`https://${n.address}:2379`],
      isLearner: false,
    }));
}

export function etcdStatus(node: SimNode, cluster: SimCluster, nowMs: number = Date.now()) {
  const leader = cluster.nodes.find((n) => n.isControlPlane && n.apiUp) ?? node;
  const raft = 1_000_000 + Math.floor((nowMs - node.bootTimeMs) / 1000) * 3 + node.spec.clusterIndex * 17;
  const dbSize = 24_576_000 + node.spec.clusterIndex * 40_960;
  return {
    protocolVersion: node.release.etcd.replace(/^v/, ""),
    dbSize: String(dbSize),
    dbSizeInUse: String(Math.floor(dbSize * 0.62)),
    leader: etcdMemberId(leader).toString(),
    raftIndex: String(raft),
    raftTerm: String(4 + node.bootCount),
    raftAppliedIndex: String(raft),
    errors: [] as string[],
    isLearner: false,
    memberId: etcdMemberId(node).toString(),
    storageVersion: "3.6.0",
  };
}

export interface KernelRecord {
  t: number;
  facility: string;
  priority: string;
  msg: string;
}

/** Kernel messages of the current boot (a short, fixed opening of a real Talos boot). */
export function dmesgRecords(node: SimNode): KernelRecord[] {
  const b = node.bootTimeMs;
  const r = node.release;
  const msgs: Array<[string, string, string]> = [
    [
      "kern",
      "notice",
      `Linux version ${r.kernel} (@buildkitsandbox) (gcc (GCC) 14.2.0, GNU ld (GNU Binutils) 2.44) #1 SMP`,
    ],
    [
      "kern",
      "info",
      `Command line: talos.platform=${node.spec.platform.name} console=ttyS0 init_on_alloc=1 slab_nomerge pti=on`,
    ],
    ["kern", "info", "BIOS-provided physical RAM map:"],
    ["kern", "info", `Memory: ${node.spec.memTotalKb}K/${node.spec.memTotalKb + 262_144}K available`],
    ["kern", "info", `smp: Brought up 1 node, ${node.spec.cpus} CPUs`],
    ["kern", "info", "Run /init as init process"],
    ["user", "warning", `[talos] [initramfs] booting Talos ${node.talosVersion}`],
    ["user", "warning", "[talos] [initramfs] mounting the rootfs"],
    ["user", "warning", "[talos] [initramfs] entering the rootfs"],
    ["kern", "info", "virtio_net virtio1 eth0: renamed from enp0s2"],
    [
      "user",
      "warning",
      `[talos] setting hostname {"component": "controller-runtime", "controller": "network.HostnameSpecController", "hostname": "${node.hostname}"}`,
    ],
    ["kern", "info", "EXT4-fs (sda6): mounted filesystem with ordered data mode. Quota mode: none."],
    ["kern", "info", "xfs: mounting Filesystem sda6"],
    ["user", "warning", "[talos] service[machined](Running): Health check successful"],
  ];
  return msgs.map(([facility, priority, msg], i) => ({ t: b + i * 37, facility, priority, msg }));
}

/** `"%s: %7s: [%s]: %s"` — facility, priority, RFC 3339 nano time, message. */
export function formatKernelRecord(r: KernelRecord): string {
  return `${r.facility}: ${r.priority.padStart(7)}: [${rfc3339Nano(r.t, 419_000)}]: ${r.msg}`;
}
