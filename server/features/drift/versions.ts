// Talos and Kubernetes versions a baseline may declare: Talos minors Minos knows, and the Kubernetes minors each
// supports (Talos support matrix). A version outside these is refused as unknown.

/** Talos minor → Kubernetes minors it supports, oldest first. */
export const SUPPORT_MATRIX: Readonly<Record<string, readonly string[]>> = {
  "1.8": ["1.26", "1.27", "1.28", "1.29", "1.30", "1.31"],
  "1.9": ["1.27", "1.28", "1.29", "1.30", "1.31", "1.32"],
  "1.10": ["1.28", "1.29", "1.30", "1.31", "1.32", "1.33"],
  "1.11": ["1.29", "1.30", "1.31", "1.32", "1.33", "1.34"],
  "1.12": ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"],
  "1.13": ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36"],
  "1.14": ["1.32", "1.33", "1.34", "1.35", "1.36"],
};

const VERSION = /^v(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/;

const minorOf = (v: string) => {
  const m = VERSION.exec(v);
  return m ? `${m[1]}.${m[2]}` : undefined;
};

/** An error message, or undefined when the Talos version is known. */
export function checkTalosVersion(v: string): string | undefined {
  const minor = minorOf(v);
  if (!minor) return `"${v}" is not a Talos version; write it like v1.13.9`;
  if (!SUPPORT_MATRIX[minor]) {
    return `Talos ${v} is unknown: Minos knows Talos ${Object.keys(SUPPORT_MATRIX)[0]}–${Object.keys(SUPPORT_MATRIX).at(-1)}`;
  }
  return undefined;
}

/** An error message, or undefined when the Kubernetes version is known (and supported by the Talos version, if given). */
export function checkKubernetesVersion(v: string, talosVersion?: string): string | undefined {
  const minor = minorOf(v);
  if (!minor) return `"${v}" is not a Kubernetes version; write it like v1.34.2`;
  const all = new Set(Object.values(SUPPORT_MATRIX).flat());
  if (!all.has(minor))
    return `Kubernetes ${v} is unknown: no Talos release Minos knows supports Kubernetes ${minor}`;
  const talosMinor = talosVersion ? minorOf(talosVersion) : undefined;
  const supported = talosMinor ? SUPPORT_MATRIX[talosMinor] : undefined;
  if (supported && !supported.includes(minor)) {
    return `Talos ${talosVersion} does not support Kubernetes ${minor} (it supports ${supported[0]}–${supported.at(-1)})`;
  }
  return undefined;
}
