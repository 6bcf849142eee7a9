// Formatting of times and durations for display.
export function formatTime(value: string | Date | null | undefined): string {
  if (!value) return "—";
  const d = typeof value === "string" ? new Date(value) : value;
  return d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/** "just now", "7 minutes ago", "3 days ago". */
export function formatAgo(value: string | Date | null | undefined, now = Date.now()): string {
  if (!value) return "never";
  const d = typeof value === "string" ? new Date(value) : value;
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** A span of time, rounded to what matters: "40 s", "4 min 10 s", "25 min", "3 h 20 min", "2 days 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

/** How long until a moment: "in 17 h", "in 25 min", "now" once it has passed. */
export function formatIn(value: string | Date, now = Date.now()): string {
  const d = typeof value === "string" ? new Date(value) : value;
  const ms = d.getTime() - now;
  return ms <= 0 ? "now" : `in ${formatDuration(ms)}`;
}
