"use client";
// The newest service events of a machine, compact, for its overview (refreshed every 5 s).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatAgo } from "../../../_components/format";
import { useTRPC } from "../../../_components/trpc";
import { formatEventTime } from "../../events/event-list";

export function RecentServiceEvents({ machineId, limit = 8 }: { machineId: string; limit?: number }) {
  const trpc = useTRPC();
  const events = useQuery(
    trpc.events.list.queryOptions({ machineId, kinds: ["serviceState"], limit }, { refetchInterval: 5_000 }),
  );
  if (events.error) return <p className="text-sm text-red-700 dark:text-red-300">{events.error.message}</p>;
  if (!events.data)
    return <div aria-busy className="h-24 animate-pulse rounded bg-zinc-200/60 dark:bg-zinc-800/60" />;
  const rows = events.data.events;
  return (
    <div>
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500">No service events stored for this machine yet.</p>
      ) : (
        <ul aria-label="Recent service events" className="space-y-1 text-sm">
          {rows.map((e) => (
            <li key={e.id} className="flex gap-3">
              <time
                dateTime={new Date(e.at).toISOString()}
                title={formatEventTime(e.at)}
                className="w-20 shrink-0 text-xs text-zinc-500"
              >
                {formatAgo(e.at)}
              </time>
              <span
                className={`min-w-0 break-words ${e.payload.type === "serviceState" && e.payload.action === "FAILED" ? "text-red-700 dark:text-red-300" : ""}`}
              >
                {e.message}
              </span>
            </li>
          ))}
        </ul>
      )}
      <Link
        href={`/machines/${machineId}/events?kind=serviceState`}
        className="mt-2 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
      >
        All service events →
      </Link>
    </div>
  );
}
