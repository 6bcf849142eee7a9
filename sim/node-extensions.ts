// The system extensions a simulated node runs: its Image Factory schematic's if it has one, else its cluster's set,
// with the node's extensions drift applied.
import { EXTENSIONS, type ExtensionInfo } from "./catalog";
import type { SimNode } from "./node";
import { nodeSchematic } from "./schematic";

export function installedExtensions(node: SimNode): readonly ExtensionInfo[] {
  const base = nodeSchematic(node)?.extensions ?? node.spec.extensions;
  const drift = node.faults.extensions;
  if (!drift) return base;
  const kept = base.filter((e) => !drift.remove.includes(e.name));
  const added = drift.add
    .filter((name) => !kept.some((e) => e.name === name))
    .map((name) => EXTENSIONS.find((e) => e.name === name) ?? { name, description: name, author: "unknown" });
  return [...kept, ...added];
}
