"use client";
import type { LogMachine, MachineStreamState, StreamStatus } from "../../../server/model/log-lines";
// Each machine of the view: its colour, its name, and where its stream stands, in words.
import { machineColour } from "./machine-colours";

const STATUS: Record<StreamStatus, { label: string; className: string }> = {
  connecting: {
    label: "connecting",
    className: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  },
  streaming: {
    label: "live",
    className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300",
  },
  retrying: {
    label: "retrying",
    className: "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-200",
  },
  ended: { label: "ended", className: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" },
  failed: { label: "failed", className: "bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300" },
};

export function LogLegend({
  machines,
  states,
}: {
  machines: readonly LogMachine[];
  states: ReadonlyMap<string, MachineStreamState>;
}) {
  return (
    <ul aria-label="Machines in this view" className="flex flex-wrap gap-x-4 gap-y-1 text-xs">
      {machines.map((m, i) => {
        const state = states.get(m.id);
        const status = STATUS[state?.status ?? "connecting"];
        const colour = machineColour(i);
        const showMessage = state?.message && state.status !== "streaming";
        return (
          <li key={m.id} data-testid="log-legend-machine" className="flex min-w-0 items-center gap-1.5">
            <span aria-hidden className={`size-2.5 shrink-0 rounded-sm ${colour.bar}`} />
            <span className={`max-w-48 truncate font-medium ${colour.text}`} title={m.hostname}>
              {m.hostname}
            </span>
            <span
              data-testid="log-stream-status"
              className={`rounded px-1.5 py-px text-[11px] font-medium ${status.className}`}
              title={state?.message}
            >
              {status.label}
            </span>
            {showMessage ? (
              <span className="max-w-md truncate text-zinc-600 dark:text-zinc-400" title={state.message}>
                {state.message}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
