// Kernel arguments: parsing /proc/cmdline, leaving out the boot-entry arguments that differ between healthy machines.

/** Set by the boot loader and alternating between A/B boot entries: not configuration. */
const BOOT_ENTRY_ARGS = new Set(["BOOT_IMAGE", "initrd"]);

export const argKey = (arg: string): string => arg.split("=")[0] ?? arg;

/** Words of a kernel command line (quoted values kept whole), without boot-entry arguments. */
export function parseCmdline(cmdline: string): string[] {
  const words = cmdline.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  return words.filter((w) => !BOOT_ENTRY_ARGS.has(argKey(w)));
}
