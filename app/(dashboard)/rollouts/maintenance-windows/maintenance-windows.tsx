"use client";
// The maintenance windows the reader's sites have, with whether each is open now or when it opens
// next — in the site's time zone and in the reader's own. Operators and admins add, change and remove
// those within their scope; everyone else reads. Refreshed every 30 seconds.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CalendarClock } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "../../../_components/empty-state";
import { ErrorNotice } from "../../../_components/error-notice";
import { formatTime } from "../../../_components/format";
import { Table } from "../../../_components/table";
import { useTRPC } from "../../../_components/trpc";
import { Button, Card, FormError } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";
import { formatInZone, formatMinutes, viewerTimeZone } from "../../../_components/zoned-time";
import { type EditedWindow, WindowForm } from "./window-form";

const DAY = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" } as const;

/** "Sat, Sun", "every day", "Mon–Fri". */
function daysText(days: readonly (keyof typeof DAY)[]): string {
  if (days.length === 7) return "every day";
  if (days.join() === "mon,tue,wed,thu,fri") return "Mon–Fri";
  return days.map((d) => DAY[d]).join(", ");
}

/** "Sat 28 Nov, 22:00 CET"; while open "open now, closes …" (or "open all the time"). */
function nextOpening(
  w: { open: boolean; opensAt: Date | null; closesAt: Date | null },
  timeZone: string,
): string {
  if (w.open)
    return w.closesAt ? `open now, closes ${formatInZone(w.closesAt, timeZone)}` : "open all the time";
  return w.opensAt ? formatInZone(w.opensAt, timeZone) : "—";
}

export function MaintenanceWindows() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may } = useMe();
  const [editing, setEditing] = useState<EditedWindow | null>(null);
  const [formKey, setFormKey] = useState(0);
  const list = useQuery(
    trpc.rollouts.maintenanceWindows.list.queryOptions(undefined, { refetchInterval: 30_000 }),
  );
  const remove = useMutation(
    trpc.rollouts.maintenanceWindows.remove.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.rollouts.maintenanceWindows.list.queryKey() }),
    }),
  );
  const here = viewerTimeZone();
  const canEdit = may("rollouts.run");

  return (
    <div className="space-y-6">
      {canEdit ? (
        <Card
          title={editing ? `Change the window of ${editing.site}` : "New maintenance window"}
          description="A window opens on the days chosen, at the local time of its sites' zone, and lasts its duration (past midnight if need be). It applies to running rollouts at once."
        >
          <WindowForm
            key={`${editing?.id ?? "new"}-${formKey}`}
            editing={editing}
            onDone={() => {
              setEditing(null);
              setFormKey((k) => k + 1);
            }}
          />
        </Card>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Operators and admins set maintenance windows; you can read them here.
        </p>
      )}

      {list.error ? (
        <ErrorNotice title="The maintenance windows could not be loaded" error={list.error} />
      ) : null}
      {!list.data && !list.error ? (
        <div aria-busy className="h-40 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
      ) : null}
      {list.data && list.data.length === 0 ? (
        <EmptyState icon={CalendarClock} title="No maintenance windows">
          <p>
            Without a window, rollouts work on a site at any time (within their safety limits). Add one to
            keep upgrades to the nights or weekends of a site, in its own time zone.
          </p>
        </EmptyState>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <section aria-label="Maintenance windows">
          <FormError error={remove.error} />
          <Table
            framed
            columns={[
              "Sites",
              "When (local time there)",
              "Now",
              "Next opening (site's time)",
              `Next opening (your time, ${here})`,
              "Changed",
              null,
            ]}
          >
            {list.data.map((w) => (
              <tr key={w.id} aria-label={`Window ${w.site}`}>
                <td className="px-3 py-2 font-mono text-xs">{w.site}</td>
                <td className="px-3 py-2">
                  {daysText(w.days)} {w.start} for {formatMinutes(w.durationMinutes)}
                  <div className="text-xs text-zinc-500">{w.timeZone}</div>
                </td>
                <td className="px-3 py-2">
                  {w.open ? (
                    <span className="font-medium text-emerald-700 dark:text-emerald-300">open</span>
                  ) : (
                    <span className="text-zinc-600 dark:text-zinc-400">closed</span>
                  )}
                </td>
                <td className="whitespace-nowrap px-3 py-2">{nextOpening(w, w.timeZone)}</td>
                <td className="whitespace-nowrap px-3 py-2">{nextOpening(w, here)}</td>
                <td className="px-3 py-2 text-xs text-zinc-600 dark:text-zinc-400">
                  {formatTime(w.updatedAt)} by {w.updatedBy}
                </td>
                <td className="px-3 py-2 text-right whitespace-nowrap">
                  {w.canEdit ? (
                    <>
                      <Button
                        variant="secondary"
                        onClick={() => {
                          setEditing({ ...w });
                          window.scrollTo({ top: 0, behavior: "smooth" });
                        }}
                      >
                        Edit
                      </Button>
                      <Button
                        variant="danger"
                        className="ml-2"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(`Remove the maintenance window of ${w.site}?`))
                            remove.mutate({ id: w.id });
                        }}
                      >
                        Remove
                      </Button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        </section>
      ) : null}
    </div>
  );
}
