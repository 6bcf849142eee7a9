"use client";
// The editor's expectation fields, one per declared kind (expectation-fields.ts), each with its own errors.
import type { FieldError } from "@/server/features/drift/config-documents";
import { Field } from "../../../_components/ui";
import type { ExpectationField, ExpectationTexts } from "./expectation-fields";
import { FieldErrors } from "./field-errors";

const area =
  "mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950";

export function ExpectationFieldList({
  fields,
  values,
  errors,
  onChange,
}: {
  fields: readonly ExpectationField[];
  values: ExpectationTexts;
  errors: FieldError[];
  onChange: (key: string, text: string) => void;
}) {
  return (
    <>
      {fields.map((f) => (
        <div key={f.key} className={f.multiline ? "sm:col-span-2" : undefined}>
          {f.multiline ? (
            <label className="block text-sm font-medium">
              {f.label}
              <textarea
                value={values[f.key] ?? ""}
                onChange={(e) => onChange(f.key, e.target.value)}
                rows={6}
                spellCheck={false}
                className={area}
                placeholder={f.placeholder}
              />
            </label>
          ) : (
            <Field
              label={f.label}
              value={values[f.key] ?? ""}
              onChange={(e) => onChange(f.key, e.target.value)}
              placeholder={f.placeholder}
            />
          )}
          <FieldErrors errors={errors} prefix={f.key} />
        </div>
      ))}
    </>
  );
}
