// Formatting of times and durations for display.
export function formatTime(value: string | Date | null | undefined): string {
  if (!value) return "—";
  const d = typeof value === "string" ? new Date(value) : value;
  return d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}
