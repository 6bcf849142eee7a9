// Kernel arguments: parsing /proc/cmdline, and the boot-entry arguments that differ between healthy machines.

/** Set by the boot loader and alternating between A/B boot entries: not configuration. */
const BOOT_ENTRY_ARGS = new Set(["BOOT_IMAGE", "initrd"]);

export const argKey = (arg: string): string => arg.split("=")[0] ?? arg;

/** Words of a kernel command line (quoted values kept whole), without boot-entry arguments. */
export function parseCmdline(cmdline: string): string[] {
  const words = cmdline.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  return words.filter((w) => !BOOT_ENTRY_ARGS.has(argKey(w)));
}

/** Arguments by key; a key given several times (console=tty0 console=ttyS0) keeps all its values in order. */
export function argsByKey(args: readonly string[]): Map<string, string> {
  const byKey = new Map<string, string[]>();
  for (const a of args) {
    const k = argKey(a);
    byKey.set(k, [...(byKey.get(k) ?? []), a]);
  }
  return new Map([...byKey].map(([k, v]) => [k, v.join(" ")]));
}
