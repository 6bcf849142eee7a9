// Times in a named time zone and in the viewer's own, for maintenance windows and their openings.

/** The time zones a person may pick: the runtime's IANA list, with UTC first. */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** The viewer's own time zone, as the browser reports it. */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/**
 * "Sat 28 Nov, 22:00 CET (Europe/Copenhagen)" in the given zone (the viewer's own when omitted): 24-hour
 * time, the zone's abbreviation, and its name, since an abbreviation alone is often just "GMT-5".
 */
export function formatInZone(value: Date | string, timeZone?: string): string {
  const d = typeof value === "string" ? new Date(value) : value;
  const zone = timeZone ?? viewerTimeZone();
  const text = d.toLocaleString("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  });
  return zone === "UTC" ? text : `${text} (${zone})`;
}

/** "4 h", "1 h 30 min", "45 min", "24 h". */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
