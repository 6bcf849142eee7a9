// What a machine runs, as comparable components (versions, schematic, each extension, each kernel argument, each
// configuration field) and one fingerprint hash per machine. Fields that differ between healthy machines by
// design (hostname, addresses; per cluster: its name and endpoint) and secrets are left out.
import { createHash } from "node:crypto";
import type { ActualState } from "./actual-state";
import { argKey } from "./kernel-args";
import { eachDocumentLeaf } from "./normalise";
import { REDACTED } from "./redact";

export type ComponentFamily = "version" | "extensions" | "kernelArgs" | "config";

/** Differ machine by machine in a healthy fleet. */
const MACHINE_IDENTITY = [
  /^v1alpha1:machine\.network\.hostname$/,
  /^v1alpha1:machine\.network\.interfaces\b.*\.(addresses|routes)\b/,
  /^v1alpha1:machine\.certSANs$/,
  /^HostnameConfig\b/,
];
/** Differ cluster by cluster: compared inside a cluster, not across clusters. */
const CLUSTER_IDENTITY = [
  /^v1alpha1:cluster\.(clusterName|controlPlane\.endpoint|apiServer\.certSANs)$/,
  /^v1alpha1:machine\.network\.interfaces\b.*\.vip\b/,
];

export interface MachineComponents {
  /** component key → value (as text); a key missing from a known family means "absent". */
  values: Map<string, string>;
  /** Families the machine reported (an unknown family takes no part in comparisons). */
  known: Set<ComponentFamily>;
}

export function familyOf(component: string): ComponentFamily {
  if (component.startsWith("config:")) return "config";
  if (component.startsWith("kernelArg:")) return "kernelArgs";
  if (component.startsWith("extension:")) return "extensions";
  return "version";
}

/** Answers per key are kept: the same few hundred keys repeat on every machine of a fleet. */
function memo(test: (key: string) => boolean): (key: string) => boolean {
  const seen = new Map<string, boolean>();
  return (key) => {
    let v = seen.get(key);
    if (v === undefined) {
      v = test(key);
      if (seen.size < 100_000) seen.set(key, v);
    }
    return v;
  };
}

/** `clusterScoped`: a component that differs between clusters by design (compared within a cluster only). */
export const isClusterScoped = memo(
  (component) => component.startsWith("config:") && CLUSTER_IDENTITY.some((r) => r.test(component.slice(7))),
);

const isMachineIdentity = memo((id) => MACHINE_IDENTITY.some((r) => r.test(id)));

/** What a drift reading says a machine runs (no versions: those come from the machine row and change alone). */
export type ReadingParts = Pick<ActualState, "extensions" | "schematicId" | "kernelArgs" | "config">;

/** The components of a drift reading; the same reading always gives the same components and fingerprint. */
export function readingComponents(actual: ReadingParts): MachineComponents {
  const values = new Map<string, string>();
  const known = new Set<ComponentFamily>(["version"]);
  if (actual.schematicId !== null) values.set("schematicId", actual.schematicId || "none");
  if (actual.extensions !== null) {
    known.add("extensions");
    for (const e of actual.extensions) values.set(`extension:${e}`, "installed");
  }
  if (actual.kernelArgs !== null) {
    known.add("kernelArgs");
    const byKey = new Map<string, string[]>();
    for (const a of actual.kernelArgs) byKey.set(argKey(a), [...(byKey.get(argKey(a)) ?? []), a]);
    for (const [k, v] of byKey) values.set(`kernelArg:${k}`, v.join(" "));
  }
  if (actual.config !== null) {
    known.add("config");
    eachDocumentLeaf(actual.config, (id, value) => {
      if (isMachineIdentity(id)) return;
      if (typeof value === "string") {
        if (!value.startsWith(REDACTED)) values.set(`config:${id}`, JSON.stringify(value));
        return;
      }
      values.set(`config:${id}`, JSON.stringify(value));
    });
  }
  return { values, known };
}

/** Components with the machine's Talos and Kubernetes versions added (a new map; `c` is left as it is). */
export function withVersions(
  c: MachineComponents,
  talosVersion: string | null,
  kubernetesVersion: string | null,
): MachineComponents {
  const values = new Map(c.values);
  if (talosVersion !== null) values.set("talosVersion", talosVersion);
  if (kubernetesVersion !== null) values.set("kubernetesVersion", kubernetesVersion);
  return { values, known: c.known };
}

export function machineComponents(actual: ActualState): MachineComponents {
  return withVersions(readingComponents(actual), actual.talosVersion, actual.kubernetesVersion);
}

/** One hash of a set of components (identical machines, or identical readings, share it). */
export function fingerprintOf(c: MachineComponents): string {
  const h = createHash("sha256");
  for (const k of [...c.values.keys()].sort()) h.update(`${k}\u0000${c.values.get(k)}\u0001`);
  h.update([...c.known].sort().join(","));
  return h.digest("hex").slice(0, 16);
}

/** Components as stored with their fingerprint (JSON), and back. */
export interface StoredComponents {
  values: Array<[string, string]>;
  known: ComponentFamily[];
}

export function storeComponents(c: MachineComponents): StoredComponents {
  return { values: [...c.values].sort((a, b) => (a[0] < b[0] ? -1 : 1)), known: [...c.known].sort() };
}

export function loadComponents(s: StoredComponents): MachineComponents {
  return { values: new Map(s.values), known: new Set(s.known) };
}
