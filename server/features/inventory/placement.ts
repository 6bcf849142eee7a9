// Labels and site paths as people type them: the rules they must follow, with messages that say
// which key or value is wrong and what is allowed. Shared by single and bulk edits.
import { z } from "zod";
import { FIELD_KEYS } from "../../model/selector";

const SITE = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;
// Kubernetes-style: optional DNS prefix, then a name of letters, digits, '-', '_', '.'.
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const MAX_LABELS = 64;

export const siteSchema = z
  .string()
  .trim()
  .max(253, "must be at most 253 characters")
  .refine((s) => s === "" || SITE.test(s), {
    message:
      "must be a path of lower-case parts separated by '/', such as eu/dk/aarhus-0042 (letters, digits, '.', '_', '-')",
  });

export const labelKeySchema = z
  .string()
  .trim()
  .superRefine((key, ctx) => {
    if (key.length === 0 || key.length > 63 + 254) {
      ctx.addIssue({ code: "custom", message: `label key "${key}" must be 1 to 63 characters` });
    } else if (!LABEL_KEY.test(key) || (key.split("/").at(-1) ?? "").length > 63) {
      ctx.addIssue({
        code: "custom",
        message: `label key "${key}" may hold letters, digits, '-', '_' and '.', start and end with a letter or digit, and have one "prefix/"`,
      });
    } else if ((FIELD_KEYS as readonly string[]).includes(key)) {
      ctx.addIssue({
        code: "custom",
        message: `"${key}" is a machine field in selectors, so it cannot be a label key`,
      });
    }
  });

export const labelValueSchema = z
  .string()
  .trim()
  .max(63, "label values must be at most 63 characters")
  .refine((v) => LABEL_VALUE.test(v), {
    message:
      "label values may hold letters, digits, '-', '_' and '.', and start and end with a letter or digit",
  });

export const labelsSchema = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) ctx.addIssue({ code: "custom", message: `at most ${MAX_LABELS} labels` });
  for (const [key, value] of entries) {
    for (const r of [labelKeySchema.safeParse(key), labelValueSchema.safeParse(value)]) {
      if (!r.success) {
        for (const issue of r.error.issues) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: issue.message.includes(key) ? issue.message : `${key}: ${issue.message}`,
          });
        }
      }
    }
  }
});

export type Labels = Record<string, string>;

/** Labels as stored (JSON), keeping only string values. */
export function labelsOf(value: unknown): Labels {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === "string",
    ),
  );
}
