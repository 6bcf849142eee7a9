// What a machine actually runs, as the drift engine compares it. `null` means Minos could not read it
// (e.g. the machine configuration without an os:admin credential): never treated as matching.
import type { ConfigDocument } from "./config-documents";
import { parseCmdline } from "./kernel-args";
import { extensionName, readSchematicInfo, type SchematicContents } from "./schematic";

export interface ActualState {
  talosVersion: string | null;
  kubernetesVersion: string | null;
  /** Extension names without the `siderolabs/` prefix, sorted; without Image Factory's meta-extensions. */
  extensions: string[] | null;
  /** Image Factory schematic id; "" when the machine was not installed from an Image Factory image. */
  schematicId: string | null;
  /** The schematic's contents (Talos 1.7+ reports them with the id); null when not reported. */
  schematic: SchematicContents | null;
  /** Kernel arguments from /proc/cmdline without boot-entry arguments. */
  kernelArgs: string[] | null;
  labels: Record<string, string>;
  /** Redacted, normalised configuration documents. */
  config: ConfigDocument[] | null;
  /** Why config is null, in words ("needs admin credential"). */
  configUnknownReason?: string;
}

/** Meta-extensions Talos or Image Factory report next to real ones (see docs/drift.md). */
const META_EXTENSIONS = new Set(["schematic", "modules.dep", "embedded-config"]);

/** Extensions, schematic id and contents from ExtensionStatuses (`metadata.name`, `version`, `extraInfo`). */
export function readExtensions(
  statuses: ReadonlyArray<{ name: string; version: string; extraInfo?: string }>,
): {
  extensions: string[];
  schematicId: string;
  schematic: SchematicContents | null;
} {
  const schematic = statuses.find((s) => s.name === "schematic");
  const extensions = statuses
    .filter((s) => !META_EXTENSIONS.has(s.name))
    .map((s) => extensionName(s.name))
    .sort();
  return {
    extensions: [...new Set(extensions)],
    schematicId: schematic?.version ?? "",
    schematic: schematic ? readSchematicInfo(schematic.extraInfo ?? "") : null,
  };
}

export function readKernelArgs(cmdline: string): string[] {
  return parseCmdline(cmdline);
}

/** The installer image the configuration names (machine.install.image), if any. */
export function installerImageOf(config: readonly ConfigDocument[]): string | undefined {
  const v1 = config.find((d) => d.id === "v1alpha1")?.value as
    | { machine?: { install?: { image?: unknown } } }
    | undefined;
  const image = v1?.machine?.install?.image;
  return typeof image === "string" ? image : undefined;
}
