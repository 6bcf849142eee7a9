// Each kind of expectation a baseline can declare, once: its spec field, how the editor labels and reads it, how a
// stored value comes back into the form, and how the list of baselines summarises it. Empty text declares nothing.

import { stringify } from "yaml";

export interface ExpectationField {
  /** The baseline spec's field (server/features/drift/baseline.ts). */
  key: string;
  label: string;
  placeholder?: string;
  /** A text area (YAML) instead of one line. */
  multiline?: boolean;
  /** The form's text as the spec's value; undefined declares nothing. */
  toSpec(text: string): unknown;
  /** A stored spec value as the form's text. */
  toText(value: unknown): string;
  /** A stored spec value in a few words, for the list of baselines. */
  summary(value: unknown): string;
}

const words = (s: string, sep: RegExp) =>
  s
    .split(sep)
    .map((w) => w.trim())
    .filter(Boolean);

const list = (sep: RegExp, join: string) => ({
  toSpec: (text: string) => (text.trim() ? words(text, sep) : undefined),
  toText: (v: unknown) => (Array.isArray(v) ? v.join(join) : ""),
});

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

const single = {
  toSpec: (text: string) => text.trim() || undefined,
  toText: (v: unknown) => (typeof v === "string" ? v : ""),
};

export const EXPECTATION_FIELDS: readonly ExpectationField[] = [
  {
    key: "talosVersion",
    label: "Talos version",
    placeholder: "v1.13.9",
    ...single,
    summary: (v) => `Talos ${v}`,
  },
  {
    key: "kubernetesVersion",
    label: "Kubernetes version",
    placeholder: "v1.36.2",
    ...single,
    summary: (v) => `Kubernetes ${v}`,
  },
  {
    key: "installerImage",
    label: "Installer image",
    placeholder: "factory.talos.dev/installer/<schematic>:v1.13.9",
    ...single,
    summary: () => "installer image",
  },
  {
    key: "schematicId",
    label: "Schematic id",
    ...single,
    summary: () => "schematic id",
  },
  {
    key: "schematic",
    label: "Image Factory schematic (YAML, compared by contents)",
    placeholder:
      "customization:\n  systemExtensions:\n    officialExtensions:\n      - siderolabs/iscsi-tools",
    multiline: true,
    // sent as written: the server parses it and names the line of a YAML error
    toSpec: (text) => (text.trim() ? text : undefined),
    toText: (v) => (v && typeof v === "object" ? stringify(v) : ""),
    summary: () => "schematic",
  },
  {
    key: "extensions",
    label: "System extensions (the exact set, comma-separated)",
    placeholder: "siderolabs/iscsi-tools",
    ...list(/[,\s]+/, ", "),
    summary: (v) => count((v as unknown[]).length, "extension"),
  },
  {
    key: "kernelArgs",
    label: "Kernel arguments (k=v or k present, -k absent)",
    placeholder: "pti=on -mitigations",
    ...list(/\s+/, " "),
    summary: (v) => `kernel args ${(v as string[]).join(" ")}`,
  },
  {
    key: "labels",
    label: "Required labels (k=v, comma-separated)",
    toSpec: (text) =>
      text.trim()
        ? Object.fromEntries(
            words(text, /,/).map((kv) => {
              const [k = "", ...v] = kv.split("=");
              return [k.trim(), v.join("=").trim()];
            }),
          )
        : undefined,
    toText: (v) =>
      Object.entries((v ?? {}) as Record<string, string>)
        .map(([k, x]) => `${k}=${x}`)
        .join(", "),
    summary: (v) => count(Object.keys(v as object).length, "label"),
  },
];

export type ExpectationTexts = Record<string, string>;

/** Every field empty: a new baseline declares nothing. */
export const EMPTY_EXPECTATIONS: ExpectationTexts = Object.fromEntries(
  EXPECTATION_FIELDS.map((f) => [f.key, ""]),
);

/** The declared fields as spec entries (empty ones left out). */
export function expectationsToSpec(texts: ExpectationTexts): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const f of EXPECTATION_FIELDS) {
    const v = f.toSpec(texts[f.key] ?? "");
    if (v !== undefined) spec[f.key] = v;
  }
  return spec;
}

export function expectationsFromSpec(spec: Record<string, unknown>): ExpectationTexts {
  return Object.fromEntries(
    EXPECTATION_FIELDS.map((f) => [f.key, spec[f.key] === undefined ? "" : f.toText(spec[f.key])]),
  );
}

/** What a stored spec declares, in a few words per field. */
export function expectationSummary(spec: Record<string, unknown>): string[] {
  return EXPECTATION_FIELDS.filter((f) => spec[f.key] !== undefined).map((f) => f.summary(spec[f.key]));
}
