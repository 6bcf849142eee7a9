// The kernel command line a simulated node booted with (KernelCmdlines.runtime.talos.dev), with kernel-args drift.
import type { SimNode } from "./node";
import { nodeSchematic } from "./schematic";

/** Talos's default arguments (KSPP hardening and console settings; representative, not per release). */
const TALOS_DEFAULTS = [
  "init_on_alloc=1",
  "slab_nomerge",
  "pti=on",
  "consoleblank=0",
  "nvme_core.io_timeout=4294967295",
  "printk.devkmsg=on",
  "ima_template=ima-ng",
  "ima_appraise=fix",
  "ima_hash=sha512",
];

const argKey = (arg: string) => arg.split("=")[0] ?? arg;

/** Contents of /proc/cmdline: boot entry, platform, defaults, its schematic's extra arguments, then the node's
 * kernel-args drift applied. */
export function kernelCmdline(node: SimNode): string {
  const args = [
    `BOOT_IMAGE=/A/vmlinuz`,
    `talos.platform=${node.spec.platform.name}`,
    ...(node.spec.platform.name === "metal" ? ["console=tty0", "console=ttyS0"] : ["console=ttyS0"]),
    ...TALOS_DEFAULTS,
    ...(nodeSchematic(node)?.kernelArgs ?? []),
  ];
  const drift = node.faults.kernelArgs;
  if (!drift) return args.join(" ");
  const removed = new Set(drift.remove.map(argKey));
  return [...args.filter((a) => !removed.has(argKey(a))), ...drift.add].join(" ");
}
