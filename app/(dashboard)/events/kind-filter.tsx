"use client";
// Choose which kinds of events to show; none chosen shows all.
import { EVENT_KIND_LABELS, EVENT_KINDS, type EventKind } from "@/server/model/event-kinds";

export function KindFilter({
  value,
  onChange,
}: {
  value: EventKind[];
  onChange: (kinds: EventKind[]) => void;
}) {
  return (
    <fieldset className="flex flex-wrap items-center gap-1.5">
      <legend className="sr-only">Kinds of events</legend>
      {EVENT_KINDS.map((k) => {
        const on = value.includes(k);
        return (
          <label
            key={k}
            className={`cursor-pointer rounded-full border px-2.5 py-0.5 text-xs ${on ? "border-indigo-500 bg-indigo-50 text-indigo-800 dark:bg-indigo-500/15 dark:text-indigo-200" : "border-zinc-300 text-zinc-600 hover:bg-zinc-50 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800"}`}
          >
            <input
              type="checkbox"
              className="sr-only"
              checked={on}
              onChange={() => onChange(on ? value.filter((x) => x !== k) : [...value, k])}
            />
            {EVENT_KIND_LABELS[k]}
          </label>
        );
      })}
    </fieldset>
  );
}

/** Kinds from a URL parameter ("serviceState,phase"), unknown names ignored. */
export function parseKinds(raw: string | null): EventKind[] {
  if (!raw) return [];
  return raw.split(",").filter((k): k is EventKind => (EVENT_KINDS as readonly string[]).includes(k));
}
