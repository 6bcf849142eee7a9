"use client";
// The fleet-wide event search: machine, cluster, site, kinds, actor, text and time range, all in the
// URL so a link reproduces the search; newest first, older pages on demand.
import { useInfiniteQuery } from "@tanstack/react-query";
import { Activity } from "lucide-react";
import { usePathname, useSearchParams } from "next/navigation";
import { type FormEvent, useState } from "react";
import type { EventKind } from "@/server/model/event-kinds";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { useTRPC } from "../../_components/trpc";
import { Button, Field } from "../../_components/ui";
import { EventList } from "./event-list";
import { KindFilter, parseKinds } from "./kind-filter";

const TEXT_FIELDS = [
  ["machine", "Machine (part of the hostname)", "prod-fra-1-w-3"],
  ["cluster", "Cluster", "prod-fra-1"],
  ["site", "Site (or its start)", "eu/dk"],
  ["actor", "Actor id", "an upgrade's actor id"],
  ["q", "Text", "kubelet failed"],
] as const;

type Draft = Record<(typeof TEXT_FIELDS)[number][0] | "from" | "to", string> & { kind: EventKind[] };

function readDraft(p: URLSearchParams): Draft {
  return {
    machine: p.get("machine") ?? "",
    cluster: p.get("cluster") ?? "",
    site: p.get("site") ?? "",
    actor: p.get("actor") ?? "",
    q: p.get("q") ?? "",
    from: p.get("from") ?? "",
    to: p.get("to") ?? "",
    kind: parseKinds(p.get("kind")),
  };
}

function writeQuery(d: Draft): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(d)) {
    const value = Array.isArray(v) ? v.join(",") : v.trim();
    if (value) p.set(k, value);
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** A datetime-local value ("2026-11-25T22:00") as a Date, or undefined when empty or not a date. */
function localDate(v: string): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function EventsSearch() {
  const params = useSearchParams();
  const pathname = usePathname();
  const applied = readDraft(params);
  const [draft, setDraft] = useState<Draft>(applied);
  const apply = (d: Draft) => window.history.pushState(null, "", `${pathname}${writeQuery(d)}`);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  return (
    <div className="space-y-4">
      <form
        onSubmit={submit}
        aria-label="Search events"
        className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {TEXT_FIELDS.map(([key, label, placeholder]) => (
            <Field
              key={key}
              label={label}
              placeholder={placeholder}
              value={draft[key]}
              onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
            />
          ))}
          <Field
            label="From"
            type="datetime-local"
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
          <Field
            label="To"
            type="datetime-local"
            value={draft.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
        </div>
        <KindFilter value={draft.kind} onChange={(kind) => setDraft({ ...draft, kind })} />
        <div className="flex gap-2">
          <Button type="submit">Search</Button>
          <Button
            variant="secondary"
            onClick={() => {
              const empty = readDraft(new URLSearchParams());
              setDraft(empty);
              apply(empty);
            }}
          >
            Clear
          </Button>
        </div>
      </form>
      <Results
        key={params.toString()}
        draft={applied}
        onActor={(actor) => {
          const next = { ...applied, actor };
          setDraft(next);
          apply(next);
        }}
      />
    </div>
  );
}

function Results({ draft, onActor }: { draft: Draft; onActor: (actorId: string) => void }) {
  const trpc = useTRPC();
  const from = localDate(draft.from);
  const to = localDate(draft.to);
  const input = {
    ...(draft.machine ? { machine: draft.machine } : {}),
    ...(draft.cluster ? { cluster: draft.cluster } : {}),
    ...(draft.site ? { site: draft.site } : {}),
    ...(draft.actor ? { actorId: draft.actor } : {}),
    ...(draft.q ? { text: draft.q } : {}),
    ...(draft.kind.length ? { kinds: draft.kind } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    limit: 100,
  };
  const pages = useInfiniteQuery(
    trpc.events.list.infiniteQueryOptions(input, {
      initialCursor: undefined as string | undefined,
      getNextPageParam: (last) => last.next ?? undefined,
    }),
  );
  if (pages.error) return <ErrorNotice title="The search failed" error={pages.error} />;
  if (!pages.data)
    return <div aria-busy className="h-64 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  const events = pages.data.pages.flatMap((p) => p.events);
  if (events.length === 0) {
    return (
      <EmptyState icon={Activity} title="No events match">
        <p>Widen the search: fewer kinds, a longer time range, or part of a name instead of all of it.</p>
      </EmptyState>
    );
  }
  return (
    <section
      aria-label="Search results"
      className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <p className="mb-2 text-xs text-zinc-500">
        {events.length} event{events.length === 1 ? "" : "s"} shown, newest first
        {pages.hasNextPage ? "; more are older" : ""}.
      </p>
      <EventList events={events} showMachine onActor={onActor} />
      {pages.hasNextPage ? (
        <Button
          variant="secondary"
          className="mt-3"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          {pages.isFetchingNextPage ? "Loading…" : "Older events"}
        </Button>
      ) : null}
    </section>
  );
}
