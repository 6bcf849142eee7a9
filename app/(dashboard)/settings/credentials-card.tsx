"use client";
// Talos credentials (administrators only): import talosconfig contexts, see their non-secret facts
// and expiry, replace or remove them (with the clusters only they reach, when asked). Private keys go to
// the server and never come back.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, type FormEvent, useId, useState } from "react";
import { formatTime } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button, Card, FormError, Notice } from "../../_components/ui";
import { useMe } from "../../_components/use-me";

/** The server refuses larger files too; checking here spares uploading a wrong, large file. */
const MAX_BYTES = 256 * 1024;

export function CredentialsCard() {
  const { may } = useMe();
  if (!may("admin.manage")) return null;
  return <CredentialsAdmin />;
}

interface Source {
  text: string;
  fileName: string | null;
}
const emptySource: Source = { text: "", fileName: null };

/** A talosconfig, pasted or read from a chosen file (its content is not shown). */
function TalosconfigSource({
  label,
  source,
  onChange,
}: {
  label: string;
  source: Source;
  onChange: (s: Source, problem?: string) => void;
}) {
  const fileId = useId();
  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    if (file.size > MAX_BYTES) {
      onChange(
        emptySource,
        `${file.name} is ${Math.ceil(file.size / 1024)} KiB; a talosconfig may be at most 256 KiB. Check that you chose the talosconfig.`,
      );
      return;
    }
    onChange({ text: await file.text(), fileName: file.name });
  };
  return (
    <div className="space-y-2">
      {source.fileName ? (
        <p className="flex items-center gap-3 text-sm">
          <span>
            Using <span className="font-medium">{source.fileName}</span>
          </span>
          <Button variant="secondary" onClick={() => onChange(emptySource)}>
            Clear
          </Button>
        </p>
      ) : (
        <label className="block text-sm font-medium">
          {label}
          <textarea
            value={source.text}
            onChange={(e) => onChange({ text: e.target.value, fileName: null })}
            rows={5}
            spellCheck={false}
            autoComplete="off"
            placeholder="context: …&#10;contexts:&#10;  …"
            className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 font-mono text-xs shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950"
          />
        </label>
      )}
      <label htmlFor={fileId} className="block text-sm">
        <span className="font-medium">Or choose a talosconfig file</span>
        <input id={fileId} type="file" onChange={choose} className="mt-1 block text-sm" />
      </label>
    </div>
  );
}

function ExpiryBadge({
  daysLeft,
  expired,
  expiresSoon,
}: {
  daysLeft: number;
  expired: boolean;
  expiresSoon: boolean;
}) {
  if (expired) {
    return (
      <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-800 dark:bg-red-950 dark:text-red-300">
        Expired
      </span>
    );
  }
  if (expiresSoon) {
    return (
      <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-300">
        Expires in {daysLeft} {daysLeft === 1 ? "day" : "days"}
      </span>
    );
  }
  return <span className="text-xs text-zinc-600 dark:text-zinc-400">{daysLeft} days left</span>;
}

function CredentialsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
  const [source, setSource] = useState<Source>(emptySource);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [replacing, setReplacing] = useState<string | null>(null);
  const [replacement, setReplacement] = useState<Source>(emptySource);
  const [removing, setRemoving] = useState<string | null>(null);

  const importMutation = useMutation(
    trpc.credentials.import.mutationOptions({
      onSuccess: (r) => {
        setSource(emptySource);
        setDone(`Imported ${r.imported.map((c) => `${c.name} (${c.role})`).join(", ")}.`);
        void refresh();
      },
    }),
  );
  const replace = useMutation(
    trpc.credentials.replace.mutationOptions({
      onSuccess: (r) => {
        setReplacing(null);
        setReplacement(emptySource);
        setDone(`Replaced ${r.name} (${r.role}).`);
        void refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.credentials.remove.mutationOptions({
      onSuccess: (r, input) => {
        setRemoving(null);
        setDone(
          r.removedClusters.length
            ? `Removed ${input.name} and the ${r.removedClusters.length === 1 ? "cluster" : "clusters"} ${r.removedClusters.join(", ")}.`
            : `Removed ${input.name}.`,
        );
        void refresh();
        if (r.removedClusters.length)
          void queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() });
      },
    }),
  );
  const pick = (set: (s: Source) => void) => (s: Source, p?: string) => {
    set(s);
    setProblem(p ?? null);
    setDone(null);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    importMutation.mutate({ talosconfig: source.text });
  };
  const list = credentials.data ?? [];
  const attention = list.filter((c) => c.expired || c.expiresSoon);
  const error = importMutation.error ?? replace.error ?? remove.error ?? credentials.error;

  return (
    <Card
      title="Talos credentials"
      description="Client certificates Minos reaches Talos with. Every context of a talosconfig becomes a credential; private keys are stored sealed and never shown again. Minos uses the least-privileged credential that can do a job."
    >
      <form onSubmit={submit} className="space-y-3">
        <TalosconfigSource label="Talosconfig" source={source} onChange={pick(setSource)} />
        <Button type="submit" disabled={importMutation.isPending || source.text.trim() === ""}>
          Import
        </Button>
      </form>
      <div className="mt-3 space-y-2">
        {problem ? <FormError error={{ message: problem }} /> : null}
        <FormError error={error} />
        {done ? <Notice>{done}</Notice> : null}
        {attention.length > 0 ? (
          <p
            role="alert"
            data-testid="credential-expiry-warning"
            className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950/50 dark:text-amber-200"
          >
            {attention.map((c) => c.name).join(", ")}{" "}
            {attention.length === 1
              ? "has a certificate that has expired or expires within 30 days. Replace it"
              : "have certificates that have expired or expire within 30 days. Replace them"}{" "}
            with a new talosconfig before Minos loses access.
          </p>
        ) : null}
      </div>
      {list.length === 0 ? (
        <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">
          {credentials.isPending ? "Loading…" : "No Talos credentials yet."}
        </p>
      ) : (
        <Table
          columns={["Name", "Role", "Endpoints", "Certificate valid", "Expiry", "Clusters", null]}
          headerCell="py-2 pr-4"
          className="mt-4"
        >
          {list.map((c) => (
            <CredentialRow
              key={c.id}
              credential={c}
              replacing={replacing === c.name}
              removing={removing === c.name}
              onReplace={() => {
                setRemoving(null);
                setReplacing(c.name);
                setReplacement(emptySource);
              }}
              onRemove={() => {
                setReplacing(null);
                setRemoving(c.name);
              }}
              onCancel={() => {
                setReplacing(null);
                setRemoving(null);
              }}
              replacement={replacement}
              onReplacement={pick(setReplacement)}
              confirmReplace={() => replace.mutate({ name: c.name, talosconfig: replacement.text })}
              confirmRemove={(removeClusters) => remove.mutate({ name: c.name, removeClusters })}
              busy={replace.isPending || remove.isPending}
            />
          ))}
        </Table>
      )}
    </Card>
  );
}

interface Facts {
  id: string;
  name: string;
  role: string;
  endpoints: string[];
  certNotBefore: Date;
  certNotAfter: Date;
  daysLeft: number;
  expired: boolean;
  expiresSoon: boolean;
  clusters: string[];
  soleClusters: string[];
}

function CredentialRow(props: {
  credential: Facts;
  replacing: boolean;
  removing: boolean;
  onReplace: () => void;
  onRemove: () => void;
  onCancel: () => void;
  replacement: Source;
  onReplacement: (s: Source, problem?: string) => void;
  confirmReplace: () => void;
  confirmRemove: (removeClusters: boolean) => void;
  busy: boolean;
}) {
  const c = props.credential;
  const [withClusters, setWithClusters] = useState(false);
  return (
    <>
      <tr data-testid={`credential-${c.name}`}>
        <td className="py-2 pr-4 font-medium">{c.name}</td>
        <td className="py-2 pr-4 font-mono text-xs">{c.role}</td>
        <td className="py-2 pr-4 font-mono text-xs">{c.endpoints.join(", ")}</td>
        <td className="py-2 pr-4">
          {formatTime(c.certNotBefore)} – {formatTime(c.certNotAfter)}
        </td>
        <td className="whitespace-nowrap py-2 pr-4">
          <ExpiryBadge daysLeft={c.daysLeft} expired={c.expired} expiresSoon={c.expiresSoon} />
        </td>
        <td className="py-2 pr-4">{c.clusters.length ? c.clusters.join(", ") : "—"}</td>
        <td className="space-x-2 whitespace-nowrap py-2 text-right">
          <Button variant="secondary" onClick={props.onReplace} aria-label={`Replace ${c.name}`}>
            Replace
          </Button>
          <Button variant="danger" onClick={props.onRemove} aria-label={`Remove ${c.name}`}>
            Remove
          </Button>
        </td>
      </tr>
      {props.replacing ? (
        <tr>
          <td colSpan={7} className="py-3">
            <fieldset
              aria-label={`Replace ${c.name}`}
              className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800"
            >
              <p className="text-sm">
                New certificate and key for <span className="font-medium">{c.name}</span>: a talosconfig with
                a context of that name, or with one context only.
              </p>
              <TalosconfigSource
                label={`Talosconfig for ${c.name}`}
                source={props.replacement}
                onChange={props.onReplacement}
              />
              <div className="flex gap-2">
                <Button
                  onClick={props.confirmReplace}
                  disabled={props.busy || props.replacement.text.trim() === ""}
                >
                  Replace credential
                </Button>
                <Button variant="secondary" onClick={props.onCancel}>
                  Cancel
                </Button>
              </div>
            </fieldset>
          </td>
        </tr>
      ) : null}
      {props.removing ? (
        <tr>
          <td colSpan={7} className="py-3">
            <div
              role="alertdialog"
              aria-label={`Remove ${c.name}?`}
              className="space-y-3 rounded-md border border-red-200 p-3 dark:border-red-900"
            >
              <p className="text-sm">
                Remove <span className="font-medium">{c.name}</span>?{" "}
                {c.soleClusters.length
                  ? `It is the only credential Minos reaches ${c.soleClusters.join(", ")} with: without it, Minos can no longer read ${c.soleClusters.length === 1 ? "that cluster" : "those clusters"}.`
                  : c.clusters.length
                    ? `Minos reaches ${c.clusters.join(", ")} with it; it will use their other credentials, if any.`
                    : "No cluster uses it."}
              </p>
              {c.soleClusters.length ? (
                <label className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5"
                    checked={withClusters}
                    onChange={(e) => setWithClusters(e.target.checked)}
                  />
                  <span>
                    Also remove {c.soleClusters.length === 1 ? "the cluster" : "the clusters"}{" "}
                    <span className="font-medium">{c.soleClusters.join(", ")}</span> and{" "}
                    {c.soleClusters.length === 1 ? "its" : "their"} machines from Minos (their history stays)
                  </span>
                </label>
              ) : null}
              <div className="flex gap-2">
                <Button
                  variant="danger"
                  onClick={() => props.confirmRemove(withClusters && c.soleClusters.length > 0)}
                  disabled={props.busy}
                >
                  {withClusters && c.soleClusters.length
                    ? "Remove credential and clusters"
                    : "Remove credential"}
                </Button>
                <Button variant="secondary" onClick={props.onCancel}>
                  Cancel
                </Button>
              </div>
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}
