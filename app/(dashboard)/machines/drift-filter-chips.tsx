"use client";
// The machines list's drift filters (status, kind of drifted expectation, outlier group) as removable chips: they
// come from links on the drift overview and have no input of their own besides the drift status.
import { X } from "lucide-react";
import { kindLabel } from "../drift/drift-words";
import type { MachineQuery } from "./machine-query";

const STATUS_WORDS: Record<string, string> = {
  drifted: "drifted",
  unknown: "drift unknown only",
  clean: "no drift",
  acknowledged: "acknowledged drift",
};

function Chip({ label, value, onRemove }: { label: string; value: string; onRemove: () => void }) {
  return (
    <span className="inline-flex max-w-full items-center gap-1 rounded-full bg-indigo-50 py-0.5 pl-2.5 pr-1 text-xs text-indigo-900 ring-1 ring-inset ring-indigo-200 dark:bg-indigo-950/40 dark:text-indigo-200 dark:ring-indigo-900">
      <span className="font-medium">{label}:</span>
      <span className="truncate">{value}</span>
      <button
        type="button"
        aria-label={`Remove filter ${label}: ${value}`}
        title="Remove this filter"
        onClick={onRemove}
        className="rounded-full p-0.5 hover:bg-indigo-100 dark:hover:bg-indigo-900"
      >
        <X aria-hidden className="size-3" />
      </button>
    </span>
  );
}

export function DriftFilterChips({
  query,
  outlier,
  onChange,
}: {
  query: MachineQuery;
  /** The list's answer about the outlier group filtered by (undefined while loading). */
  outlier?: { summary: string | null };
  onChange: (patch: Partial<MachineQuery>) => void;
}) {
  if (!query.drift && !query.driftKind && !query.outlier) return null;
  return (
    <ul aria-label="Drift filters" className="flex flex-wrap gap-1.5">
      {query.drift || query.driftKind ? (
        <li>
          <Chip
            label="Drift"
            value={STATUS_WORDS[query.drift || "drifted"] ?? query.drift}
            onRemove={() => onChange({ drift: "", driftKind: "" })}
          />
        </li>
      ) : null}
      {query.driftKind ? (
        <li>
          <Chip
            label="Kind"
            value={kindLabel(query.driftKind)}
            onRemove={() => onChange({ driftKind: "" })}
          />
        </li>
      ) : null}
      {query.outlier ? (
        <li className="max-w-full">
          <Chip
            label="Outlier group"
            value={
              outlier === undefined
                ? "…"
                : (outlier.summary ?? "no longer exists (its machines run like their peers now)")
            }
            onRemove={() => onChange({ outlier: "" })}
          />
        </li>
      ) : null}
    </ul>
  );
}
