// Image Factory images: a node installed from one reports the virtual `schematic` extension (its id as version,
// the schematic YAML as extra info, as Talos 1.7+ does), runs the schematic's extensions, boots with its extra
// kernel arguments and names a factory installer image in its configuration.
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { EXTENSIONS, type ExtensionInfo } from "./catalog";
import type { SimNode } from "./node";

export interface NodeSchematic {
  id: string;
  /** The schematic as Image Factory marshals it (gopkg.in/yaml.v3: four-space indentation). */
  yaml: string;
  extensions: readonly ExtensionInfo[];
  kernelArgs: readonly string[];
}

/** Image Factory's canonical text of a schematic; its sha256 is the schematic id. */
export function schematicYaml(s: { extensions: readonly string[]; kernelArgs: readonly string[] }): string {
  const customization: Record<string, unknown> = {};
  if (s.kernelArgs.length) customization.extraKernelArgs = [...s.kernelArgs];
  if (s.extensions.length) customization.systemExtensions = { officialExtensions: [...s.extensions] };
  return stringify({ customization }, { indent: 4, indentSeq: true });
}

export function nodeSchematic(node: SimNode): NodeSchematic | null {
  const s = node.faults.schematic;
  if (!s) return null;
  const yaml = schematicYaml(s);
  return {
    id: createHash("sha256").update(yaml).digest("hex"),
    yaml,
    extensions: s.extensions.map((full) => {
      const name = full.replace(/^siderolabs\//, "");
      return EXTENSIONS.find((e) => e.name === name) ?? { name, description: name, author: "unknown" };
    }),
    kernelArgs: s.kernelArgs,
  };
}
