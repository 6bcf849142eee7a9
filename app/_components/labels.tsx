// Labels as small key=value chips. Text only: hostile keys and values are never markup.
export function LabelChips({
  labels,
  inherited,
}: {
  labels: Record<string, string>;
  inherited?: Record<string, string>;
}) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span className="text-zinc-400">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {entries.map(([k, v]) => (
        <span
          key={k}
          title={inherited && inherited[k] === v ? "from the cluster" : undefined}
          className={`rounded px-1.5 py-0.5 font-mono text-xs ${
            inherited && inherited[k] === v
              ? "bg-zinc-50 text-zinc-500 ring-1 ring-inset ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-700"
              : "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
          }`}
        >
          {k}={v}
        </span>
      ))}
    </span>
  );
}

/** "a=1, b=2" text for an input, and back. */
export function labelsToText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

export function textToLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/)) {
    const t = part.trim();
    if (!t) continue;
    const i = t.indexOf("=");
    if (i < 0) out[t] = "";
    else out[t.slice(0, i).trim()] = t.slice(i + 1).trim();
  }
  return out;
}
