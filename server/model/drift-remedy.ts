// What fixes a kind of drift. A Talos upgrade (a rollout) installs a Talos version from an installer
// image, and with it the image's schematic and extensions; it does not change kernel arguments set in
// the machine config, the config itself, labels, or the Kubernetes version. So a rollout is offered only
// for version and schematic drift; for the rest, the page says what would fix it.

/** Drift kinds (drift items) and outlier components a rollout to another installer can fix. */
const BY_ROLLOUT_KINDS = new Set([
  "talosVersion",
  "installerImage",
  "schematicId",
  "schematic",
  "extensions",
]);

export function rolloutFixesKind(kind: string): boolean {
  return BY_ROLLOUT_KINDS.has(kind);
}

/** The kind of an outlier component: "talosVersion", "extension:…" → extensions, "kernelArg:…", "config:…". */
export function kindOfComponent(component: string): string {
  if (component.startsWith("extension:")) return "extensions";
  if (component.startsWith("kernelArg:")) return "kernelArg";
  if (component.startsWith("config:")) return "config";
  if (component.startsWith("label:")) return "label";
  return component;
}

/** In words, what fixes drift of this kind when a rollout does not. */
export function remedyOf(kind: string): string {
  switch (kind) {
    case "kernelArg":
      return "change the kernel arguments in the machine config (install.extraKernelArgs) or the schematic; an upgrade keeps the current ones";
    case "config":
      return "apply a machine config patch (talosctl patch machineconfig, or your config management); an upgrade keeps the config";
    case "label":
      return "edit the machine's labels (Machines: select, then Labels)";
    case "kubernetesVersion":
      return "upgrade Kubernetes (talosctl upgrade-k8s); a Talos upgrade keeps the Kubernetes version";
    default:
      return rolloutFixesKind(kind)
        ? "a rollout to the declared installer"
        : "change the machine to match its baseline";
  }
}
