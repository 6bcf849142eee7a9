// Maintenance windows of sites, kept in Minos (Rollouts → Maintenance windows): what one is as people
// enter it, when it opens next, and its form as one of the scheduler's windows.
import { z } from "zod";
import {
  type MaintenanceWindow,
  timeOfDaySchema,
  timeZoneSchema,
  WEEKDAYS,
  type Weekday,
} from "./rollout-safety";
import { isOpen, nextStart } from "./window-schedule";

const SITE_PATTERN = /^(\*|[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*(\/\*)?)$/;
export const MAX_WINDOW_MINUTES = 24 * 60;

/** A window as people enter it; each message follows the field's name. */
export const maintenanceWindowInputSchema = z.object({
  site: z
    .string()
    .trim()
    .max(253, "must be at most 253 characters")
    .regex(
      SITE_PATTERN,
      "must be a site (eu/dk/aarhus-0042), every site under a prefix (eu/dk/*), or * for all sites",
    ),
  timeZone: timeZoneSchema,
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1, "must include at least one day")
    .max(7)
    .refine((d) => new Set(d).size === d.length, "must not name a day twice"),
  start: timeOfDaySchema,
  durationMinutes: z
    .number("must be a number of minutes")
    .int("must be whole minutes")
    .min(1, "must be at least 1 minute")
    .max(MAX_WINDOW_MINUTES, "must be at most 24 hours"),
});
export type MaintenanceWindowInput = z.infer<typeof maintenanceWindowInputSchema>;

/** The days in week order (mon…sun), as stored; anything else is dropped. */
export function sortedDays(days: readonly string[]): Weekday[] {
  return WEEKDAYS.filter((d) => days.includes(d));
}

/** The local end time of a window: start + duration, past midnight when it runs into the next day. */
export function endOf(start: string, durationMinutes: number): string {
  const m =
    (Number(start.slice(0, 2)) * 60 + Number(start.slice(3, 5)) + durationMinutes) % MAX_WINDOW_MINUTES;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** A window as stored (days as text). */
export type StoredWindow = Omit<MaintenanceWindowInput, "days"> & { days: readonly string[] };

/** The scheduler's form of a stored window (start and end local time; end == start is a whole day). */
export function asSchedulerWindow(w: StoredWindow): MaintenanceWindow {
  return {
    site: w.site,
    timeZone: w.timeZone,
    days: sortedDays(w.days),
    start: w.start,
    end: endOf(w.start, w.durationMinutes),
  };
}

export interface Opening {
  open: boolean;
  /** While open: when the current opening ends (null: it never closes, open every day all day). */
  closesAt: Date | null;
  /** While closed: the next opening (null when none within a week, which cannot happen with a day set). */
  opensAt: Date | null;
}

/** How long a window in the scheduler's form lasts, in minutes (end == start: a whole day). */
export function durationOf(w: Pick<MaintenanceWindow, "start" | "end">): number {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return (minutes(w.end) - minutes(w.start) + MAX_WINDOW_MINUTES) % MAX_WINDOW_MINUTES || MAX_WINDOW_MINUTES;
}

/** Whether a window is open at `now`, until when, or when it opens next. */
export function openingOf(w: MaintenanceWindow, now: number): Opening {
  if (!isOpen(w, now)) {
    const next = nextStart(w, now);
    return { open: false, closesAt: null, opensAt: next === null ? null : new Date(next) };
  }
  // The opening under way began at the latest start not after now (at most a day back).
  let started: number | null = null;
  for (
    let t = nextStart(w, now - (MAX_WINDOW_MINUTES + 60) * 60_000);
    t !== null && t <= now;
    t = nextStart(w, t)
  )
    started = t;
  if (started === null) return { open: true, closesAt: null, opensAt: null };
  // An opening that ends as the next begins (a whole day, every day) runs on: it closes at the end of
  // the last of them; null when it never closes within a week.
  let closes = started + durationOf(w) * 60_000;
  for (let i = 0; i < 8 && isOpen(w, closes); i++) {
    const next = nextStart(w, closes - 60_000);
    if (next === null || next > closes) break;
    closes = next + durationOf(w) * 60_000;
  }
  return { open: true, closesAt: isOpen(w, closes) ? null : new Date(closes), opensAt: null };
}
