"use client";
// The audit trail: filters, live updates, older pages on demand, JSON-lines export, chain check. Each entry
// reads as an action in words on a named target (linked), and opens to the whole entry.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ScrollText, ShieldAlert, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Untrusted } from "@/app/_components/untrusted-text";
import { actionInWords } from "@/server/model/audit-words";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { formatTime } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button, Field } from "../../_components/ui";
import { useMe } from "../../_components/use-me";

interface Filter {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
}

const empty: Filter = { actor: "", action: "", target: "", from: "", to: "" };
const resultStyle: Record<string, string> = {
  ok: "bg-emerald-50 text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-300",
  denied: "bg-amber-50 text-amber-800 dark:bg-amber-500/10 dark:text-amber-300",
  error: "bg-red-50 text-red-700 dark:bg-red-500/10 dark:text-red-300",
};

function toQuery(f: Filter) {
  return {
    actor: f.actor || undefined,
    action: f.action || undefined,
    target: f.target || undefined,
    from: f.from ? new Date(f.from) : undefined,
    to: f.to ? new Date(f.to) : undefined,
  };
}

export function AuditTrail() {
  const { may, loading } = useMe();
  if (loading) return null;
  if (!may("audit.read")) {
    return (
      <EmptyState icon={ShieldAlert} title="Administrators only">
        <p>The audit trail needs the admin role. Ask an administrator if you should have it.</p>
      </EmptyState>
    );
  }
  return <Trail />;
}

interface Entry {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  targetView: { label: string; href?: string } | null;
  address: string | null;
  result: string;
  details: unknown;
}

/** One entry: the action in words and the target by name (with a link); opened, the whole entry. */
function AuditRow({ entry: r, open, onToggle }: { entry: Entry; open: boolean; onToggle: () => void }) {
  const details = (r.details ?? null) as Record<string, unknown> | null;
  return (
    <>
      <tr aria-label={`${formatTime(r.at)} ${r.actor} ${r.action}`}>
        <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatTime(r.at)}</td>
        <td className="px-3 py-2">
          <Untrusted text={r.actor} />
        </td>
        <td className="px-3 py-2">
          {actionInWords(r.action, details)}
          <span className="block font-mono text-xs text-zinc-500">{r.action}</span>
        </td>
        <td className="px-3 py-2">
          {r.targetView?.href ? (
            <Link href={r.targetView.href} className="text-indigo-700 hover:underline dark:text-indigo-300">
              <Untrusted text={r.targetView.label} />
            </Link>
          ) : r.targetView ? (
            <Untrusted text={r.targetView.label} />
          ) : (
            "—"
          )}
        </td>
        <td className="px-3 py-2 font-mono text-xs">{r.address ?? "—"}</td>
        <td className="px-3 py-2">
          <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${resultStyle[r.result] ?? ""}`}>
            {r.result}
          </span>
        </td>
        <td className="px-3 py-2 text-right">
          <Button variant="secondary" aria-expanded={open} onClick={onToggle}>
            {open ? "Hide" : "Details"}
          </Button>
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={7} className="bg-zinc-50 px-3 py-2 dark:bg-zinc-900/60">
            <dl aria-label="The whole entry" className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1 text-xs">
              <dt className="text-zinc-500">Entry</dt>
              <dd className="font-mono">#{r.id}</dd>
              <dt className="text-zinc-500">Target as recorded</dt>
              <dd className="font-mono">
                <Untrusted text={r.target ?? "—"} />
              </dd>
              <dt className="text-zinc-500">Details</dt>
              <dd>
                <pre className="whitespace-pre-wrap break-all font-mono">
                  <Untrusted text={JSON.stringify(details ?? {}, null, 2)} />
                </pre>
              </dd>
            </dl>
          </td>
        </tr>
      ) : null}
    </>
  );
}

function Trail() {
  const trpc = useTRPC();
  const [opened, setOpened] = useState<string | null>(null);
  const [draft, setDraft] = useState<Filter>(empty);
  const [filter, setFilter] = useState<Filter>(empty);
  const q = toQuery(filter);
  const entries = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { ...q, limit: 100 },
      {
        initialCursor: undefined as string | undefined,
        getNextPageParam: (last) => (last.length === 100 ? last.at(-1)?.id : undefined),
        refetchInterval: 5_000,
      },
    ),
  );
  const verify = useQuery({ ...trpc.audit.verify.queryOptions(), enabled: false });
  const exportHref = `/api/audit/export?${new URLSearchParams(
    Object.entries(filter).filter(([, v]) => v) as [string, string][],
  )}`;
  const rows = entries.data?.pages.flat() ?? [];
  const set = (k: keyof Filter) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setDraft({ ...draft, [k]: e.target.value });
  return (
    <div className="space-y-4">
      <form
        className="grid gap-3 rounded-lg border border-zinc-200 bg-white p-4 md:grid-cols-6 md:items-end dark:border-zinc-800 dark:bg-zinc-900"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        <Field label="User" value={draft.actor} onChange={set("actor")} />
        <Field label="Action" placeholder="e.g. auth.login" value={draft.action} onChange={set("action")} />
        <Field label="Target" value={draft.target} onChange={set("target")} />
        <Field label="From" type="datetime-local" value={draft.from} onChange={set("from")} />
        <Field label="To" type="datetime-local" value={draft.to} onChange={set("to")} />
        <div className="flex gap-2">
          <Button type="submit">Filter</Button>
          <a
            href={exportHref}
            className="inline-flex items-center rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            Export
          </a>
        </div>
      </form>
      <div className="flex items-center gap-3 text-sm">
        <Button
          variant="secondary"
          className="shrink-0 whitespace-nowrap"
          onClick={() => void verify.refetch()}
          disabled={verify.isFetching}
        >
          Verify the chain
        </Button>
        {verify.data?.ok === true ? (
          <span role="status" className="flex items-center gap-1 text-emerald-700 dark:text-emerald-300">
            <ShieldCheck aria-hidden className="size-4" /> Intact:{" "}
            {verify.data.entries.toLocaleString("en-US")} entries verified, up to the signed head.
          </span>
        ) : null}
        {verify.data && verify.data.ok === false ? (
          <span role="alert" className="flex items-center gap-1 text-red-700 dark:text-red-300">
            <ShieldAlert aria-hidden className="size-4 shrink-0" /> Tampering detected: {verify.data.message}
          </span>
        ) : null}
        <span className="ml-auto shrink-0 text-zinc-500">Updates every 5 seconds.</span>
      </div>
      {entries.error ? (
        <ErrorNotice title="The audit trail could not be loaded" error={entries.error} />
      ) : null}
      {entries.data && rows.length === 0 ? (
        <EmptyState icon={ScrollText} title="No entries match">
          <p>Nothing recorded matches these filters.</p>
        </EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <Table columns={["When", "Who", "Action", "Target", "From", "Result", null]} framed>
          {rows.map((r) => (
            <AuditRow
              key={r.id}
              entry={r}
              open={opened === r.id}
              onToggle={() => setOpened(opened === r.id ? null : r.id)}
            />
          ))}
        </Table>
      ) : null}
      {entries.hasNextPage ? (
        <Button
          variant="secondary"
          onClick={() => void entries.fetchNextPage()}
          disabled={entries.isFetchingNextPage}
        >
          Load older entries
        </Button>
      ) : null}
    </div>
  );
}
