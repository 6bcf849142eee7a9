"use client";
// Rows of machine events: when, what kind, the sentence, and (fleet and cluster views) which machine.
// Everything from a node is rendered as text; the only links are Minos's own machine pages.
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import type { AppRouter } from "@/server/api/app-router";
import { EVENT_KIND_LABELS, type EventKind } from "@/server/model/event-kinds";

export type EventItem = inferRouterOutputs<AppRouter>["events"]["list"]["events"][number];

const KIND_STYLE: Partial<Record<EventKind, string>> = {
  serviceState: "bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-500/10 dark:text-sky-300",
  machineStatus: "bg-violet-50 text-violet-700 ring-violet-600/20 dark:bg-violet-500/10 dark:text-violet-300",
  sequence: "bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-500/10 dark:text-indigo-300",
  phase: "bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-500/10 dark:text-indigo-300",
  task: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-500/10 dark:text-zinc-300",
  restart: "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-500/10 dark:text-amber-300",
  configLoadError: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300",
  configValidationError: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300",
};
const DEFAULT_STYLE = "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-500/10 dark:text-zinc-300";

/** Events that went wrong read red: failures, errors, a machine not ready. */
function isBad(e: EventItem): boolean {
  const p = e.payload;
  if (p.type === "serviceState") return p.action === "FAILED";
  if (p.type === "sequence") return Boolean(p.error);
  if (p.type === "machineStatus") return !p.ready;
  return p.type === "configLoadError" || p.type === "configValidationError";
}

export function formatEventTime(at: Date | string): string {
  return new Date(at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });
}

export function KindBadge({ kind }: { kind: EventKind }) {
  return (
    <span
      className={`inline-flex shrink-0 items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${KIND_STYLE[kind] ?? DEFAULT_STYLE}`}
    >
      {EVENT_KIND_LABELS[kind] ?? kind}
    </span>
  );
}

/** Newest first: by time, then by Minos's id (decimal strings of any length). */
export function newestFirst(a: EventItem, b: EventItem): number {
  const t = new Date(b.at).getTime() - new Date(a.at).getTime();
  if (t !== 0) return t;
  return b.id.length - a.id.length || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0);
}

export function EventList({
  events,
  showMachine,
  onActor,
  fresh,
}: {
  events: EventItem[];
  showMachine?: boolean;
  /** Clicking an actor id follows that actor (e.g. an upgrade, step by step). */
  onActor?: (actorId: string) => void;
  /** Ids that arrived live, highlighted briefly. */
  fresh?: Set<string>;
}) {
  return (
    <ol aria-label="Events" className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
      {events.map((e) => (
        <li
          key={e.id}
          data-event-kind={e.kind}
          className={`flex flex-wrap items-baseline gap-x-3 gap-y-1 px-1 py-1.5 ${fresh?.has(e.id) ? "bg-indigo-50/70 dark:bg-indigo-500/10" : ""}`}
        >
          <time
            dateTime={new Date(e.at).toISOString()}
            className="w-44 shrink-0 font-mono text-xs text-zinc-500 tabular-nums"
          >
            {formatEventTime(e.at)}
          </time>
          <KindBadge kind={e.kind} />
          {showMachine ? (
            <Link
              href={`/machines/${e.machine.id}/events`}
              className="shrink-0 font-medium text-indigo-700 hover:underline dark:text-indigo-300"
            >
              {e.machine.hostname}
            </Link>
          ) : null}
          <span className={`min-w-0 flex-1 break-words ${isBad(e) ? "text-red-700 dark:text-red-300" : ""}`}>
            {e.message}
          </span>
          {e.actorId ? (
            onActor ? (
              <button
                type="button"
                onClick={() => onActor(e.actorId)}
                title="Show only the events of this actor"
                className="shrink-0 rounded bg-zinc-100 px-1.5 font-mono text-xs text-zinc-600 hover:bg-indigo-100 hover:text-indigo-800 dark:bg-zinc-800 dark:text-zinc-300"
              >
                actor {e.actorId.slice(0, 8)}
              </button>
            ) : (
              <span className="shrink-0 font-mono text-xs text-zinc-500">actor {e.actorId.slice(0, 8)}</span>
            )
          ) : null}
        </li>
      ))}
    </ol>
  );
}
