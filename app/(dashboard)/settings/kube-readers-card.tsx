"use client";
// Read-only Kubernetes access (administrators only): per cluster, an imported least-privilege kubeconfig
// that Minos's reads of the Kubernetes API use; without one, Minos reads with the admin kubeconfig it
// obtains through Talos. The kubeconfig goes to the server, is checked there, and never comes back.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { formatTime } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button, Card, FormError, Notice, SelectField } from "../../_components/ui";
import { useMe } from "../../_components/use-me";

export function KubeReadersCard() {
  const { may } = useMe();
  if (!may("admin.manage")) return null;
  return <KubeReadersAdmin />;
}

function KubeReadersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const readers = useQuery(trpc.kubeReaders.list.queryOptions());
  const clusters = useQuery(trpc.clusters.list.queryOptions({ pageSize: 500 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.kubeReaders.list.queryKey() });
  const [cluster, setCluster] = useState("");
  const [text, setText] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);

  const importMutation = useMutation(
    trpc.kubeReaders.import.mutationOptions({
      onSuccess: (r) => {
        setText("");
        setDone(`Minos now reads cluster ${r.cluster}'s Kubernetes API as ${r.identity}.`);
        void refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.kubeReaders.remove.mutationOptions({
      onSuccess: (_r, input) => {
        setRemoving(null);
        setDone(`Removed; Minos reads cluster ${input.cluster} with its admin kubeconfig again.`);
        void refresh();
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    importMutation.mutate({ cluster, kubeconfig: text });
  };
  const list = readers.data ?? [];
  const names = (clusters.data?.rows ?? []).map((c) => c.name);

  return (
    <Card
      title="Kubernetes read access"
      description="Minos changes nodes (cordon, drain) with the admin kubeconfig it obtains through Talos. For reading a cluster's Kubernetes API (node health, the wave briefing, the pod check) you may give it a least-privilege kubeconfig instead: one that may get, list and watch nodes, pods and poddisruptionbudgets, and nothing more. Minos checks it before keeping it sealed."
    >
      <form onSubmit={submit} className="space-y-3">
        <SelectField label="Cluster" value={cluster} onChange={(e) => setCluster(e.target.value)} required>
          <option value="">Choose a cluster…</option>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </SelectField>
        <label className="block text-sm font-medium">
          Read-only kubeconfig
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={5}
            spellCheck={false}
            autoComplete="off"
            placeholder="apiVersion: v1&#10;clusters:&#10;  …"
            className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 font-mono text-xs shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950"
          />
        </label>
        <Button type="submit" disabled={importMutation.isPending || !cluster || text.trim() === ""}>
          {importMutation.isPending ? "Checking…" : "Check and import"}
        </Button>
      </form>
      <div className="mt-3 space-y-2">
        <FormError error={importMutation.error ?? remove.error ?? readers.error} />
        {done ? <Notice>{done}</Notice> : null}
      </div>
      {list.length === 0 ? (
        <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">
          {readers.isPending
            ? "Loading…"
            : "No read-only kubeconfig: Minos reads every cluster with its admin kubeconfig."}
        </p>
      ) : (
        <Table
          columns={["Cluster", "Reads as", "API server", "Certificate valid until", "Imported", null]}
          headerCell="py-2 pr-4"
          className="mt-4"
        >
          {list.map((r) => (
            <tr key={r.cluster} className="border-t border-zinc-200 dark:border-zinc-800">
              <td className="py-2 pr-4 font-medium">{r.cluster}</td>
              <td className="py-2 pr-4">{r.identity}</td>
              <td className="py-2 pr-4 font-mono text-xs">{r.server}</td>
              <td className="py-2 pr-4">{r.certNotAfter ? formatTime(r.certNotAfter) : "— (token)"}</td>
              <td className="py-2 pr-4">
                {formatTime(r.importedAt)} by {r.importedBy}
              </td>
              <td className="py-2 text-right">
                {removing === r.cluster ? (
                  <span className="flex justify-end gap-2">
                    <Button
                      variant="danger"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate({ cluster: r.cluster })}
                    >
                      Remove
                    </Button>
                    <Button variant="secondary" onClick={() => setRemoving(null)}>
                      Cancel
                    </Button>
                  </span>
                ) : (
                  <Button variant="secondary" onClick={() => setRemoving(r.cluster)}>
                    Remove…
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
