// Immutable facts shared by every simulated node: Talos releases, their components, installer images, extensions.

export interface TalosRelease {
  tag: string;
  sha: string;
  goVersion: string;
  kubernetes: string[];
  etcd: string;
  containerd: string;
  kernel: string;
}

/** Releases the fleet is built from (component versions are plausible, not exact). */
export const RELEASES: readonly TalosRelease[] = [
  {
    tag: "v1.11.5",
    sha: "bc34de6e",
    goVersion: "go1.24.9",
    kubernetes: ["v1.33.5", "v1.34.1"],
    etcd: "v3.6.5",
    containerd: "v2.1.4",
    kernel: "6.12.48-talos",
  },
  {
    tag: "v1.11.6",
    sha: "7d3a1f0c",
    goVersion: "go1.24.11",
    kubernetes: ["v1.34.2"],
    etcd: "v3.6.5",
    containerd: "v2.1.5",
    kernel: "6.12.57-talos",
  },
  {
    tag: "v1.12.4",
    sha: "2f1e9b77",
    goVersion: "go1.25.5",
    kubernetes: ["v1.34.3", "v1.35.0"],
    etcd: "v3.6.6",
    containerd: "v2.1.5",
    kernel: "6.18.2-talos",
  },
  {
    tag: "v1.12.11",
    sha: "a91c5d20",
    goVersion: "go1.25.8",
    kubernetes: ["v1.35.3"],
    etcd: "v3.6.8",
    containerd: "v2.1.6",
    kernel: "6.18.14-talos",
  },
  {
    tag: "v1.13.2",
    sha: "5c0b8e13",
    goVersion: "go1.26.1",
    kubernetes: ["v1.35.4", "v1.36.0"],
    etcd: "v3.6.9",
    containerd: "v2.2.2",
    kernel: "6.18.19-talos",
  },
  {
    tag: "v1.13.9",
    sha: "e84f2a6b",
    goVersion: "go1.26.3",
    kubernetes: ["v1.36.2"],
    etcd: "v3.6.10",
    containerd: "v2.2.3",
    kernel: "6.18.27-talos",
  },
  {
    tag: "v1.14.0-rc.1",
    sha: "0d7c3e59",
    goVersion: "go1.26.4",
    kubernetes: ["v1.36.2"],
    etcd: "v3.6.10",
    containerd: "v2.2.3",
    kernel: "6.18.31-talos",
  },
];

/** Tags published for the installer images in the simulated registry (all catalog releases plus a few patches). */
export const INSTALLER_TAGS: ReadonlySet<string> = new Set([
  ...RELEASES.map((r) => r.tag),
  "v1.11.0",
  "v1.11.3",
  "v1.12.0",
  "v1.12.8",
  "v1.13.0",
  "v1.13.5",
  "v1.13.8",
]);

/** Repositories that serve installer images; factory repos accept any 64-hex schematic id. */
export const INSTALLER_REPOSITORIES: readonly RegExp[] = [
  /^ghcr\.io\/siderolabs\/installer$/,
  /^ghcr\.io\/siderolabs\/installer-base$/,
  /^factory\.talos\.dev\/(?:metal-|aws-|gcp-|azure-|nocloud-)?installer(?:-secureboot)?\/[0-9a-f]{64}$/,
];

export function releaseOf(tag: string): TalosRelease {
  const exact = RELEASES.find((r) => r.tag === tag);
  if (exact) return exact;
  const minor = tag.split(".").slice(0, 2).join(".");
  const sameMinor = RELEASES.filter((r) => r.tag.startsWith(`${minor}.`));
  const base = sameMinor[sameMinor.length - 1] ?? RELEASES[RELEASES.length - 1];
  if (!base) throw new Error("empty release catalog");
  return { ...base, tag };
}

/** Compares Talos tags numerically (v1.13.9 < v1.14.0-rc.1 < v1.14.0). */
export function compareTags(a: string, b: string): number {
  const parse = (t: string) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-(.*))?$/.exec(t);
    return m ? { n: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] } : { n: [0, 0, 0], pre: t };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa.n[i] ?? 0) - (pb.n[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === undefined) return 1;
  if (pb.pre === undefined) return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

/** LifecycleService and ImageService exist from v1.13. */
export function hasLifecycleApi(tag: string): boolean {
  return compareTags(tag, "v1.13.0-alpha.1") >= 0;
}

export interface ExtensionInfo {
  name: string;
  description: string;
  author: string;
  /** The ext-<name> service it runs, if any. */
  service?: string;
}

export const EXTENSIONS: readonly ExtensionInfo[] = [
  {
    name: "iscsi-tools",
    description: "This system extension provides iscsi-tools.",
    author: "Sidero Labs",
    service: "ext-iscsid",
  },
  {
    name: "util-linux-tools",
    description: "This system extension provides util-linux tools.",
    author: "Sidero Labs",
  },
  {
    name: "qemu-guest-agent",
    description: "This system extension provides the QEMU Guest Agent service.",
    author: "Markus Reiter",
    service: "ext-qemu-guest-agent",
  },
  {
    name: "intel-ucode",
    description: "This system extension provides Intel microcode binaries.",
    author: "Spencer Smith",
  },
  {
    name: "tailscale",
    description: "This system extension provides Tailscale.",
    author: "Sidero Labs",
    service: "ext-tailscale",
  },
  {
    name: "nvidia-container-toolkit-production",
    description: "This system extension provides the NVIDIA container toolkit.",
    author: "Sidero Labs",
  },
];

export const PLATFORMS: ReadonlyArray<{ name: string; mode: string }> = [
  { name: "metal", mode: "metal" },
  { name: "aws", mode: "cloud" },
  { name: "gcp", mode: "cloud" },
  { name: "nocloud", mode: "cloud" },
];
