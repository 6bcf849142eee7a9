// Paths into configuration documents: segments, and one printed form used as an id everywhere.

/** A key of a mapping, or a list item addressed by its natural key (`{ key: "name", value: "cilium" }`) or index. */
export type PathSegment = string | { key: string; value: string } | number;
export type ConfigPath = readonly PathSegment[];

const PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `machine.sysctls["net.core.somaxconn"]`, `cluster.inlineManifests[name=cilium].contents`, `machine.disks[0]`. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "object") out += `[${seg.key}=${JSON.stringify(seg.value)}]`;
    else if (PLAIN.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
