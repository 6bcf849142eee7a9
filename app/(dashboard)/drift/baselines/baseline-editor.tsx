"use client";
// Edit one baseline: fields, config patches, a preview of how many machines it would mark drifted or clean,
// and field-level errors from the server's validation (unknown versions, malformed YAML, unknown fields).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { FieldError } from "@/server/features/drift/config-documents";
import type { BaselinePreview } from "@/server/features/drift/preview-baseline";
import { useTRPC } from "../../../_components/trpc";
import { Button, Field, SelectField } from "../../../_components/ui";
import { fieldLabel } from "../drift-words";
import { type BaselineForm, toInput } from "./baseline-form";
import { ExpectationFieldList } from "./expectation-field-list";
import { EXPECTATION_FIELDS } from "./expectation-fields";
import { belongsTo, FieldErrors } from "./field-errors";

const TARGET_LABEL = {
  site: "Site prefix (e.g. eu/dk)",
  cluster: "Cluster name",
  selector: "Label selector (e.g. role=worker,tier=edge)",
};

export function BaselineEditor({ initial, onClose }: { initial: BaselineForm; onClose: () => void }) {
  const trpc = useTRPC();
  const client = useQueryClient();
  const [f, setF] = useState(initial);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [preview, setPreview] = useState<BaselinePreview | null>(null);
  const set = <K extends keyof BaselineForm>(k: K, v: BaselineForm[K]) => {
    setF((old) => ({ ...old, [k]: v }));
    setPreview(null);
  };
  const previewQ = useMutation({
    mutationFn: () =>
      client.fetchQuery(trpc.drift.previewBaseline.queryOptions(toInput(f), { staleTime: 0 })),
    onSuccess: (r) => {
      if (r.ok) {
        setErrors([]);
        setPreview(r.preview);
      } else setErrors(r.errors);
    },
  });
  const save = useMutation(
    trpc.drift.saveBaseline.mutationOptions({
      onSuccess: async (r) => {
        if (!r.ok) {
          setErrors(r.errors);
          return;
        }
        await client.invalidateQueries({ queryKey: trpc.drift.pathKey() });
        onClose();
      },
    }),
  );
  // errors no field shows (a whole-document problem): listed above the buttons
  const fieldPrefixes = ["name", "attach", "configPatches", ...EXPECTATION_FIELDS.map((x) => x.key)];
  const other = errors.filter((e) => !fieldPrefixes.some((p) => belongsTo(e.field, p)));
  return (
    <form
      aria-label="Baseline"
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(toInput(f));
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <Field
            label="Name"
            value={f.name}
            onChange={(e) => set("name", e.target.value)}
            placeholder="eu-dk-workers"
          />
          <FieldErrors errors={errors} prefix="name" />
        </div>
        <Field
          label="Description"
          value={f.description}
          onChange={(e) => set("description", e.target.value)}
        />
        <SelectField
          label="Attach to"
          value={f.level}
          onChange={(e) => set("level", e.target.value as BaselineForm["level"])}
        >
          <option value="fleet">The whole fleet</option>
          <option value="site">A site (prefix)</option>
          <option value="cluster">A cluster</option>
          <option value="selector">Machines matching a label selector</option>
        </SelectField>
        {f.level !== "fleet" ? (
          <div>
            <Field
              label={TARGET_LABEL[f.level]}
              value={f.target}
              onChange={(e) => set("target", e.target.value)}
            />
            <FieldErrors errors={errors} prefix="attach" />
          </div>
        ) : (
          <div />
        )}
        <ExpectationFieldList
          fields={EXPECTATION_FIELDS}
          values={f.expectations}
          errors={errors}
          onChange={(key, text) => set("expectations", { ...f.expectations, [key]: text })}
        />
      </div>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">Configuration patches (YAML that must hold)</legend>
        {f.patches.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: patches are edited in place, never reordered
          <div key={i} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
            <div className="flex items-end gap-3">
              <SelectField
                label={`Patch ${i + 1} applies to`}
                value={p.role}
                onChange={(e) =>
                  set(
                    "patches",
                    f.patches.map((x, j) => (j === i ? { ...x, role: e.target.value as typeof p.role } : x)),
                  )
                }
              >
                <option value="all">all machines</option>
                <option value="controlplane">control planes</option>
                <option value="worker">workers</option>
              </SelectField>
              <Button
                variant="secondary"
                onClick={() =>
                  set(
                    "patches",
                    f.patches.filter((_, j) => j !== i),
                  )
                }
              >
                Remove
              </Button>
            </div>
            <label className="mt-2 block text-sm font-medium">
              {`Patch ${i + 1} YAML`}
              <textarea
                value={p.patch}
                onChange={(e) =>
                  set(
                    "patches",
                    f.patches.map((x, j) => (j === i ? { ...x, patch: e.target.value } : x)),
                  )
                }
                rows={6}
                spellCheck={false}
                className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950"
                placeholder={"machine:\n  kubelet:\n    extraArgs:\n      max-pods: 110"}
              />
            </label>
            <FieldErrors errors={errors} prefix={`configPatches[${i}]`} />
          </div>
        ))}
        <Button
          variant="secondary"
          onClick={() => set("patches", [...f.patches, { role: "all", patch: "" }])}
        >
          Add a configuration patch
        </Button>
      </fieldset>

      {other.length > 0 ? <FieldErrors errors={other} /> : null}
      {errors.length > 0 ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {errors.length === 1 ? "One problem" : `${errors.length} problems`} to fix before this can be saved
          (shown at their fields).
        </p>
      ) : null}
      {preview ? (
        <p
          role="status"
          aria-label="Preview"
          className="rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900 dark:bg-indigo-950/40 dark:text-indigo-200"
        >
          This baseline would apply to {preview.applies} machines: {preview.drifted} drifted, {preview.clean}{" "}
          clean
          {preview.unknown ? `, ${preview.unknown} unknown (configuration needs an admin credential)` : ""}.
          Across the fleet, {preview.newlyDrifted} would become drifted and {preview.newlyClean} clean.
        </p>
      ) : null}
      {preview && preview.machines.length > 0 ? (
        <details>
          <summary className="cursor-pointer text-sm font-medium">
            The {preview.applies === 1 ? "machine" : `${preview.applies} machines`} it applies to
            {preview.applies > preview.machines.length ? ` (the first ${preview.machines.length})` : ""}
          </summary>
          <ul aria-label="Machines the baseline applies to" className="mt-1 space-y-0.5 text-sm">
            {preview.machines.map((m) => (
              <li key={m.id}>
                <Link
                  href={`/machines/${m.id}/drift`}
                  className="text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {m.hostname}
                </Link>{" "}
                <span className="text-zinc-500">({m.cluster})</span> {m.outcome}
                {m.fields.length && m.outcome !== "clean" ? `: ${m.fields.map(fieldLabel).join(", ")}` : ""}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {save.error || previewQ.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {(save.error ?? previewQ.error)?.message}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button variant="secondary" onClick={() => previewQ.mutate()} disabled={previewQ.isPending}>
          Preview
        </Button>
        <Button type="submit" disabled={save.isPending}>
          Save
        </Button>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
