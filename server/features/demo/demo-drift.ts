// Drift the demo fleet starts with, so the Drift page shows real outliers at once: one worker booted with
// another kernel argument, one running an extra system extension, one with a hand-edited kubelet setting.
import type { buildFleetSpec, StartupFault } from "@/sim";

export function demoDriftFaults(spec: ReturnType<typeof buildFleetSpec>): StartupFault[] {
  const lastWorker = (c: number) =>
    spec.clusters[c]?.nodes.filter((n) => n.role === "worker").at(-1)?.hostname;
  const faults: StartupFault[] = [];
  const a = lastWorker(2);
  const b = lastWorker(3);
  const c = lastWorker(4);
  if (a) faults.push({ node: a, kind: "kernel-args", add: ["mitigations=off"] });
  if (b) faults.push({ node: b, kind: "extensions", add: ["tailscale"] });
  if (c) faults.push({ node: c, kind: "drift", path: "machine.kubelet.extraArgs.max-pods", value: "250" });
  return faults;
}
