// Maintenance windows per site, in the site's time zone: is one open now, and when does one open next.
import type { MaintenanceWindow, Weekday } from "./rollout-safety";

const WEEKDAY_OF: Record<string, Weekday> = {
  Mon: "mon",
  Tue: "tue",
  Wed: "wed",
  Thu: "thu",
  Fri: "fri",
  Sat: "sat",
  Sun: "sun",
};
const ORDER: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalTime {
  weekday: Weekday;
  year: number;
  month: number;
  day: number;
  minutes: number;
}

function localTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  return {
    weekday: WEEKDAY_OF[parts.weekday ?? ""] ?? "mon",
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const previous = (d: Weekday) => ORDER[(ORDER.indexOf(d) + 6) % 7] as Weekday;

/** Does the site pattern (exact, or a prefix ending in `*`) cover the site? */
export function siteMatches(pattern: string, site: string): boolean {
  return pattern.endsWith("*") ? site.startsWith(pattern.slice(0, -1)) : site === pattern;
}

/** The windows that apply to a site; none means the site is not restricted. */
export function windowsOf(windows: readonly MaintenanceWindow[], site: string): MaintenanceWindow[] {
  return windows.filter((w) => siteMatches(w.site, site));
}

/** Is the window open at `at` (ms since epoch)? */
export function isOpen(w: MaintenanceWindow, at: number): boolean {
  const t = localTime(at, w.timeZone);
  const start = minutesOf(w.start);
  const end = minutesOf(w.end);
  if (end > start) return w.days.includes(t.weekday) && t.minutes >= start && t.minutes < end;
  // Runs past midnight (or all day when end == start): opened on a listed day, ends the next day.
  return (
    (w.days.includes(t.weekday) && t.minutes >= start) ||
    (w.days.includes(previous(t.weekday)) && t.minutes < end)
  );
}

/** The UTC instant of a local wall-clock time in a zone (exact except inside a DST gap). */
function instantOf(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const t = localTime(guess, timeZone);
    const shown = Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes);
    guess += wall - shown;
  }
  return guess;
}

/** The window's next opening after `at`, within a week (null: it never opens). */
export function nextStart(w: MaintenanceWindow, at: number): number | null {
  const t = localTime(at, w.timeZone);
  let best: number | null = null;
  for (let offset = 0; offset <= 7; offset++) {
    const date = new Date(Date.UTC(t.year, t.month - 1, t.day + offset));
    const weekday = ORDER[date.getUTCDay()] as Weekday;
    if (!w.days.includes(weekday)) continue;
    const start = instantOf(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      minutesOf(w.start),
      w.timeZone,
    );
    if (start > at && (best === null || start < best)) best = start;
  }
  return best;
}

export interface WindowState {
  open: boolean;
  /** The site has no window at all: always open. */
  unrestricted: boolean;
  /** When closed: the next opening, if any window ever opens. */
  opensAt?: number;
  /** That opening in the window's own time zone: "Mon 02:00 EST" (the zone's name where it has no abbreviation). */
  opensText?: string;
}

const openingFormatters = new Map<string, Intl.DateTimeFormat>();

/** A moment as a window's site reads it: weekday, 24-hour time, and the zone ("Mon 02:00 EST"). */
export function formatInWindowZone(at: number, timeZone: string): string {
  let f = openingFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    openingFormatters.set(timeZone, f);
  }
  // The zone's abbreviation where a locale knows one (EST in en-US, CET in en-GB), else its name.
  const abbrs = ["en-US", "en-GB"].map(
    (locale) =>
      new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "short" })
        .formatToParts(at)
        .find((p) => p.type === "timeZoneName")?.value ?? "",
  );
  const zone = abbrs.find((a) => a && !/^GMT[+-]/.test(a)) ?? timeZone;
  return `${f.format(at).replace(",", "")} ${zone}`;
}

/** Whether work may start on a site at `at` (ms since epoch). */
export function windowState(windows: readonly MaintenanceWindow[], site: string, at: number): WindowState {
  const mine = windowsOf(windows, site);
  if (mine.length === 0) return { open: true, unrestricted: true };
  if (mine.some((w) => isOpen(w, at))) return { open: true, unrestricted: false };
  let next: { at: number; zone: string } | undefined;
  for (const w of mine) {
    const start = nextStart(w, at);
    if (start !== null && (next === undefined || start < next.at)) next = { at: start, zone: w.timeZone };
  }
  return {
    open: false,
    unrestricted: false,
    opensAt: next?.at,
    opensText: next ? formatInWindowZone(next.at, next.zone) : undefined,
  };
}
