// Which Talos upgrades are supported, as Talos itself decides (docs/rollouts.md, "Upgrade paths"):
// - the target's installer refuses hosts older than its MinimumHostUpgradeVersion (two minors back)
//   and newer than its MaximumHostDowngradeVersion (exclusive, two minors ahead):
//   siderolabs/talos pkg/machinery/compatibility/talos_version.go `UpgradeableFrom`, talos1XX/*.go;
// - the upgrade guide tests migrations only between adjacent minors, so Minos refuses skipping a
//   minor ("upgrade to the latest patch of every intermediate minor release");
// - each Talos minor supports a range of Kubernetes versions (MinimumKubernetesVersion…Maximum…).
import semver from "semver";

/** Per target minor: oldest host it upgrades (inclusive) and Kubernetes range, from the Talos sources. */
const COMPATIBILITY: Record<string, { minHost: string; maxHost: string; kubernetes: [string, string] }> = {
  "1.10": { minHost: "1.8.0", maxHost: "1.12.0", kubernetes: ["1.28.0", "1.33.99"] },
  "1.11": { minHost: "1.9.0", maxHost: "1.13.0", kubernetes: ["1.29.0", "1.34.99"] },
  "1.12": { minHost: "1.10.0", maxHost: "1.14.0", kubernetes: ["1.30.0", "1.35.99"] },
  "1.13": { minHost: "1.11.0", maxHost: "1.15.0", kubernetes: ["1.31.0", "1.36.99"] },
  "1.14": { minHost: "1.12.0", maxHost: "1.16.0", kubernetes: ["1.32.0", "1.37.99"] },
  "1.15": { minHost: "1.13.0", maxHost: "1.17.0", kubernetes: ["1.33.0", "1.38.99"] },
};

/** "v1.13.9" → SemVer, or null when it is not a version. */
export function parseTalosVersion(tag: string): semver.SemVer | null {
  return semver.parse(tag.trim().replace(/^v?/, ""), { loose: true });
}

/** major.minor.patch without the pre-release: how Talos compares host versions. */
function core(v: semver.SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** The installer tag of an image reference (`ghcr.io/siderolabs/installer:v1.14.0` → v1.14.0). */
export function installerTag(image: string): string | null {
  const noDigest = image.split("@")[0] ?? "";
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(colon + 1) : null;
}

/** True when the machine already runs the target (same version, pre-release included). */
export function onTarget(current: string, target: string): boolean {
  const a = parseTalosVersion(current);
  const b = parseTalosVersion(target);
  return a !== null && b !== null && semver.eq(a, b);
}

/**
 * Why upgrading a machine from `from` to `to` is not supported, or null when it is. `kubernetes` is
 * the machine's Kubernetes version when known.
 */
export function upgradePathProblem(from: string, to: string, kubernetes?: string): string | null {
  const host = parseTalosVersion(from);
  const target = parseTalosVersion(to);
  if (!target) return `the target "${to}" is not a Talos version`;
  if (!host) return `its current version "${from || "unknown"}" is not known yet`;
  const minor = `${target.major}.${target.minor}`;
  const known = COMPATIBILITY[minor];
  // Releases newer than this table follow the rule every Talos release so far has kept.
  const rule = known ?? {
    minHost: `${target.major}.${Math.max(0, target.minor - 2)}.0`,
    maxHost: `${target.major}.${target.minor + 2}.0`,
    kubernetes: undefined,
  };
  if (semver.lt(core(host), rule.minHost)) {
    return `Talos ${to} cannot be installed over ${from}: its installer refuses hosts older than v${rule.minHost}`;
  }
  if (semver.gte(core(host), rule.maxHost)) {
    return `Talos ${to} cannot be installed over ${from}: its installer refuses downgrades from v${rule.maxHost} or newer`;
  }
  if (semver.lt(host, target)) {
    const skipped = target.major === host.major ? target.minor - host.minor - 1 : 0;
    if (target.major !== host.major || skipped > 0) {
      const next = `v${host.major}.${host.minor + 1}`;
      return `${from} → ${to} skips ${skipped === 1 ? `${next}` : `${skipped} minor releases`}: Talos supports upgrades between adjacent minor releases only; upgrade to the latest ${next} patch first`;
    }
  }
  const k8s = kubernetes ? parseTalosVersion(kubernetes) : null;
  if (k8s && known) {
    const [min, max] = known.kubernetes;
    if (semver.lt(core(k8s), min) || semver.gt(core(k8s), max)) {
      return `Talos ${minor} supports Kubernetes ${min.replace(/\.0$/, "")}–${max.replace(/\.99$/, "")}, and the machine runs Kubernetes ${kubernetes}; upgrade Kubernetes first`;
    }
  }
  return null;
}
