"use client";
// Baselines: the list, the editor, and YAML import and export (to keep baselines in git).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FieldError } from "@/server/features/drift/config-documents";
import { ErrorNotice } from "../../../_components/error-notice";
import { Table } from "../../../_components/table";
import { useTRPC } from "../../../_components/trpc";
import { Button, Card, Notice } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";
import { BaselineEditor } from "./baseline-editor";
import { attachText, type BaselineForm, EMPTY_FORM, fromStored } from "./baseline-form";
import { expectationSummary } from "./expectation-fields";

function declares(spec: unknown): string {
  const s = spec as Record<string, unknown>;
  const parts = expectationSummary(s);
  if (Array.isArray(s.configPatches)) parts.push(`${s.configPatches.length} config patches`);
  return parts.join("; ") || "nothing";
}

export function BaselinesView() {
  const trpc = useTRPC();
  const client = useQueryClient();
  const { may } = useMe();
  const canEdit = may("admin.manage");
  const list = useQuery(trpc.drift.baselines.queryOptions());
  const [editing, setEditing] = useState<BaselineForm | null>(null);
  const [importText, setImportText] = useState("");
  const [importErrors, setImportErrors] = useState<FieldError[]>([]);
  const [imported, setImported] = useState<string[] | null>(null);
  const remove = useMutation(
    trpc.drift.deleteBaseline.mutationOptions({
      onSuccess: () => client.invalidateQueries({ queryKey: trpc.drift.pathKey() }),
    }),
  );
  const doImport = useMutation(
    trpc.drift.importBaselines.mutationOptions({
      onSuccess: async (r) => {
        if (!r.ok) {
          setImportErrors(r.errors);
          setImported(null);
          return;
        }
        setImportErrors([]);
        setImported(r.names);
        setImportText("");
        await client.invalidateQueries({ queryKey: trpc.drift.pathKey() });
      },
    }),
  );
  const exportFile = async () => {
    const { yaml } = await client.fetchQuery(
      trpc.drift.exportBaselines.queryOptions(undefined, { staleTime: 0 }),
    );
    const url = URL.createObjectURL(new Blob([yaml], { type: "application/yaml" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "minos-baselines.yaml";
    a.click();
    URL.revokeObjectURL(url);
  };
  if (list.error) return <ErrorNotice title="Baselines could not be loaded" error={list.error} />;
  if (editing) {
    return (
      <Card
        title={editing.id ? `Edit baseline ${editing.name}` : "New baseline"}
        description="Most specific wins per field: fleet < site < cluster < label selector."
      >
        <BaselineEditor initial={editing} onClose={() => setEditing(null)} />
      </Card>
    );
  }
  return (
    <div className="space-y-6">
      <Card
        title="Baselines"
        description="What machines should run. A machine's drift page shows which baseline each expectation came from."
      >
        {canEdit ? (
          <div className="mb-3 flex gap-2">
            <Button onClick={() => setEditing(EMPTY_FORM)}>New baseline</Button>
            <Button variant="secondary" onClick={() => void exportFile()}>
              Export YAML
            </Button>
          </div>
        ) : null}
        {list.data && list.data.length > 0 ? (
          <Table columns={["Name", "Attached to", "Declares", null]} headerCell="py-1.5 pr-3">
            {list.data.map((b) => (
              <tr key={b.id}>
                <td className="py-1.5 pr-3 font-medium">{b.name}</td>
                <td className="py-1.5 pr-3">{attachText(b.spec)}</td>
                <td className="py-1.5 pr-3 text-xs">{declares(b.spec)}</td>
                <td className="py-1.5 pr-3 text-right">
                  {canEdit ? (
                    <span className="inline-flex gap-2">
                      <Button variant="secondary" onClick={() => setEditing(fromStored(b))}>
                        Edit
                      </Button>
                      <Button
                        variant="danger"
                        onClick={() => {
                          if (window.confirm(`Remove baseline ${b.name}? Its drift items clear.`))
                            remove.mutate({ id: b.id });
                        }}
                      >
                        Remove
                      </Button>
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        ) : (
          <p className="text-sm text-zinc-500">
            No baselines yet. Without one, the overview still shows outliers: machines that differ from their
            peers.
          </p>
        )}
      </Card>
      {canEdit ? (
        <Card
          title="Import"
          description="Paste a baselines YAML file (apiVersion: minos.dev/v1, kind: Baseline). All or nothing; same names are replaced."
        >
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              doImport.mutate({ yaml: importText });
            }}
          >
            <label className="block text-sm font-medium">
              Baselines YAML
              <textarea
                value={importText}
                onChange={(e) => setImportText(e.target.value)}
                rows={8}
                spellCheck={false}
                className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950"
              />
            </label>
            {importErrors.length > 0 ? (
              <ul role="alert" className="text-xs text-red-700 dark:text-red-300">
                {importErrors.map((e) => (
                  <li key={`${e.field}:${e.message}`}>
                    {e.field ? `${e.field}: ` : ""}
                    {e.message}
                    {e.line ? ` (line ${e.line})` : ""}
                  </li>
                ))}
              </ul>
            ) : null}
            {imported ? <Notice>Imported {imported.join(", ")}.</Notice> : null}
            <Button type="submit" disabled={!importText.trim() || doImport.isPending}>
              Import
            </Button>
          </form>
        </Card>
      ) : null}
    </div>
  );
}
