"use client";
// A live event timeline of one machine or one cluster: the stored events (from before the page opened,
// across reboots), then new ones as the collector stores them. Kind and actor filters live in the URL.
import { skipToken, useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { Activity } from "lucide-react";
import { usePathname, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { useTRPC } from "../../_components/trpc";
import { Button } from "../../_components/ui";
import { type EventItem, EventList, newestFirst } from "./event-list";
import { KindFilter, parseKinds } from "./kind-filter";

/** Events held by the page: the stored ones first loaded plus live ones, newest kept. */
const MAX_HELD = 2_000;
const FIRST_PAGE = 300;

type Target = { machineId: string } | { cluster: string };

function setParam(pathname: string, params: URLSearchParams, key: string, value: string) {
  const next = new URLSearchParams(params);
  if (value) next.set(key, value);
  else next.delete(key);
  const s = next.toString();
  // The browser's own history (Next.js follows it in useSearchParams): no server round trip.
  window.history.replaceState(null, "", s ? `${pathname}?${s}` : pathname);
}

export function LiveTimeline({ target, showMachine }: { target: Target; showMachine?: boolean }) {
  const params = useSearchParams();
  const pathname = usePathname();
  const kinds = parseKinds(params.get("kind"));
  const actorId = params.get("actor") ?? "";
  const filter = { ...target, ...(kinds.length ? { kinds } : {}), ...(actorId ? { actorId } : {}) };
  // Remount the live part whenever the filter changes: a new first page, a new follow.
  const key = JSON.stringify(filter);
  return (
    <section aria-label="Event timeline" className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <KindFilter value={kinds} onChange={(k) => setParam(pathname, params, "kind", k.join(","))} />
      </div>
      {actorId ? (
        <p
          role="status"
          className="flex flex-wrap items-center gap-2 rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900 dark:bg-indigo-500/10 dark:text-indigo-200"
        >
          Following actor <span className="font-mono text-xs">{actorId}</span> — only the events it caused.
          <Button variant="secondary" onClick={() => setParam(pathname, params, "actor", "")}>
            Show all actors
          </Button>
        </p>
      ) : null}
      <Timeline
        key={key}
        filter={filter}
        showMachine={showMachine}
        onActor={(a) => setParam(pathname, params, "actor", a)}
      />
    </section>
  );
}

function Timeline({
  filter,
  showMachine,
  onActor,
}: {
  filter: Target & { kinds?: EventItem["kind"][]; actorId?: string };
  showMachine?: boolean | undefined;
  onActor: (actorId: string) => void;
}) {
  const trpc = useTRPC();
  const first = useQuery(
    trpc.events.list.queryOptions(
      { ...filter, limit: FIRST_PAGE },
      { staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false },
    ),
  );
  const [live, setLive] = useState<EventItem[]>([]);
  const followFrom = first.data?.followFrom;
  const subscription = useSubscription(
    trpc.events.follow.subscriptionOptions(
      followFrom === undefined ? skipToken : { ...filter, after: followFrom },
      {
        onData: (tracked) => setLive((held) => [tracked.data, ...held].slice(0, MAX_HELD)),
      },
    ),
  );
  const events = useMemo(() => {
    const seen = new Set<string>();
    const all: EventItem[] = [];
    for (const e of [...live, ...(first.data?.events ?? [])]) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      all.push(e);
    }
    return all.sort(newestFirst).slice(0, MAX_HELD);
  }, [live, first.data]);
  const fresh = useMemo(() => new Set(live.slice(0, 20).map((e) => e.id)), [live]);

  if (first.error) return <ErrorNotice title="Events could not be loaded" error={first.error} />;
  if (!first.data)
    return <div aria-busy className="h-64 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
      <LiveState status={subscription.status} error={subscription.error} count={live.length} />
      {events.length === 0 ? (
        <EmptyState icon={Activity} title="No events yet">
          <p>
            Nothing matches in the last days kept. New events appear here as they happen, without reloading.
          </p>
        </EmptyState>
      ) : (
        <EventList events={events} showMachine={showMachine} onActor={onActor} fresh={fresh} />
      )}
      {first.data.next ? (
        <p className="mt-2 text-xs text-zinc-500">
          Showing the newest {FIRST_PAGE} stored events; search older ones on the Events page.
        </p>
      ) : null}
    </div>
  );
}

function LiveState({
  status,
  error,
  count,
}: {
  status: "idle" | "connecting" | "pending" | "error";
  error: { message: string } | null;
  count: number;
}) {
  const text =
    status === "pending"
      ? `Live: new events appear as they happen${count ? ` (${count} so far)` : ""}.`
      : status === "connecting"
        ? "Connecting to the live feed…"
        : status === "error"
          ? `The live feed stopped: ${error?.message ?? "unknown error"}. Reload the page to try again.`
          : "Loading…";
  const dot = status === "pending" ? "bg-emerald-500" : status === "error" ? "bg-red-500" : "bg-amber-400";
  return (
    <p role="status" className="mb-2 flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
      <span aria-hidden className={`size-2 rounded-full ${dot}`} />
      {text}
    </p>
  );
}
