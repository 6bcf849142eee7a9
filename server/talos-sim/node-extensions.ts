// The system extensions a simulated node runs: its cluster's set with the node's extensions drift applied.
import { EXTENSIONS, type ExtensionInfo } from "./catalog";
import type { SimNode } from "./node";

export function installedExtensions(node: SimNode): readonly ExtensionInfo[] {
  const drift = node.faults.extensions;
  if (!drift) return node.spec.extensions;
  const kept = node.spec.extensions.filter((e) => !drift.remove.includes(e.name));
  const added = drift.add
    .filter((name) => !kept.some((e) => e.name === name))
    .map((name) => EXTENSIONS.find((e) => e.name === name) ?? { name, description: name, author: "unknown" });
  return [...kept, ...added];
}
