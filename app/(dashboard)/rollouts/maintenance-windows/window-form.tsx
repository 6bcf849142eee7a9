"use client";
// Adding or changing a maintenance window: sites, the sites' time zone (from the browser's IANA list),
// days, opening time and duration. Checked as one types against the same rules the server applies;
// each error names its field. Shows when the window would open next, in the site's time and the
// viewer's.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import {
  asSchedulerWindow,
  type MaintenanceWindowInput,
  maintenanceWindowInputSchema,
  openingOf,
} from "@/server/model/maintenance-window";
import { WEEKDAYS } from "@/server/model/rollout-safety";
import { useTRPC } from "../../../_components/trpc";
import { Button, FormError } from "../../../_components/ui";
import { formatInZone, formatMinutes, timeZones, viewerTimeZone } from "../../../_components/zoned-time";

type Field = "site" | "timeZone" | "days" | "start" | "durationMinutes";
const LABEL: Record<Field, string> = {
  site: "Sites",
  timeZone: "Time zone",
  days: "Days",
  start: "Opens at",
  durationMinutes: "Duration",
};
const DAY_NAME: Record<string, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

const inputBase =
  "mt-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-950";
const inputStyle = `${inputBase} block w-full`;

export interface EditedWindow extends MaintenanceWindowInput {
  id: string;
}

/** Field errors of a draft, each message starting with the field's name. */
function check(draft: {
  site: string;
  timeZone: string;
  days: string[];
  start: string;
  hours: string;
  minutes: string;
}): { value?: MaintenanceWindowInput; errors: Partial<Record<Field, string>> } {
  const errors: Partial<Record<Field, string>> = {};
  const whole = (v: string) => /^\d+$/.test(v.trim() || "0");
  if (!whole(draft.hours) || !whole(draft.minutes))
    errors.durationMinutes = "Duration must be given in whole hours and minutes";
  if (draft.timeZone.trim() && !timeZones().includes(draft.timeZone.trim()))
    errors.timeZone = `Time zone "${draft.timeZone.trim()}" is not one this browser knows: pick one from the list, such as Europe/Copenhagen`;
  const parsed = maintenanceWindowInputSchema.safeParse({
    site: draft.site,
    timeZone: draft.timeZone.trim(),
    days: draft.days,
    start: draft.start,
    durationMinutes: Number(draft.hours.trim() || "0") * 60 + Number(draft.minutes.trim() || "0"),
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as Field;
      errors[field] ??= `${LABEL[field]} ${issue.message}`;
    }
  }
  return { value: Object.keys(errors).length === 0 ? parsed.data : undefined, errors };
}

export function WindowForm({ editing, onDone }: { editing: EditedWindow | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const zones = useMemo(timeZones, []);
  const [site, setSite] = useState(editing?.site ?? "");
  const [timeZone, setTimeZone] = useState(editing?.timeZone ?? viewerTimeZone());
  const [days, setDays] = useState<string[]>(editing?.days ?? ["sat", "sun"]);
  const [start, setStart] = useState(editing?.start ?? "22:00");
  const [hours, setHours] = useState(String(Math.floor((editing?.durationMinutes ?? 240) / 60)));
  const [minutes, setMinutes] = useState(String((editing?.durationMinutes ?? 240) % 60));
  const [submitted, setSubmitted] = useState(false);
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.rollouts.maintenanceWindows.list.queryKey() });
    onDone();
  };
  const add = useMutation(trpc.rollouts.maintenanceWindows.add.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.rollouts.maintenanceWindows.update.mutationOptions({ onSuccess: done }));
  const mutation = editing ? update : add;

  const { value, errors } = check({ site, timeZone, days, start, hours, minutes });
  // The server's field errors ("window.site" when changing) under their fields too.
  const serverFields = (mutation.error?.data as { fieldErrors?: Record<string, string> } | undefined)
    ?.fieldErrors;
  const shown: Partial<Record<Field, string>> = submitted ? { ...errors } : {};
  for (const [path, message] of Object.entries(serverFields ?? {})) {
    const field = path.replace(/^window\./, "").split(".")[0] as Field;
    if (LABEL[field]) shown[field] ??= `${LABEL[field]} ${message}`;
  }
  const next = value ? openingOf(asSchedulerWindow(value), Date.now()) : null;
  const here = viewerTimeZone();

  const error = (f: Field) =>
    shown[f] ? (
      <p id={`window-${f}-error`} className="mt-1 text-xs text-red-700 dark:text-red-400">
        {shown[f]}
      </p>
    ) : null;
  const described = (f: Field) => ({
    "aria-invalid": shown[f] ? true : undefined,
    "aria-describedby": shown[f] ? `window-${f}-error` : undefined,
  });

  return (
    <form
      aria-label={editing ? "Change the maintenance window" : "New maintenance window"}
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!value) return;
        if (editing) update.mutate({ id: editing.id, window: value });
        else add.mutate(value);
      }}
    >
      <div className="grid gap-4 md:grid-cols-2">
        <div>
          <label className="block text-sm font-medium">
            {LABEL.site}
            <input
              className={`${inputStyle} font-mono`}
              value={site}
              placeholder="eu/dk/*"
              onChange={(e) => setSite(e.target.value)}
              {...described("site")}
            />
          </label>
          <p className="mt-1 text-xs text-zinc-500">
            One site (eu/dk/aarhus-0042), every site under a prefix (eu/dk/*), or * for all.
          </p>
          {error("site")}
        </div>
        <div>
          <label className="block text-sm font-medium">
            {LABEL.timeZone}
            <input
              className={inputStyle}
              list="window-time-zones"
              value={timeZone}
              onChange={(e) => setTimeZone(e.target.value)}
              {...described("timeZone")}
            />
          </label>
          <datalist id="window-time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <p className="mt-1 text-xs text-zinc-500">
            The sites' own zone: the days and times are local there.
          </p>
          {error("timeZone")}
        </div>
      </div>
      <fieldset {...described("days")}>
        <legend className="text-sm font-medium">{LABEL.days}</legend>
        <div className="mt-1.5 flex flex-wrap gap-3 text-sm">
          {WEEKDAYS.map((d) => (
            <label key={d} className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={days.includes(d)}
                onChange={(e) => setDays(e.target.checked ? [...days, d] : days.filter((x) => x !== d))}
              />
              {DAY_NAME[d]}
            </label>
          ))}
        </div>
        {error("days")}
      </fieldset>
      <div className="grid gap-4 md:grid-cols-3">
        <div>
          <label className="block text-sm font-medium">
            {LABEL.start}
            {/* Text, not type="time": that shows 12-hour time in some browsers, beside 24-hour tables. */}
            <input
              type="text"
              inputMode="numeric"
              placeholder="HH:MM (24-hour)"
              pattern="([01][0-9]|2[0-3]):[0-5][0-9]"
              maxLength={5}
              className={inputStyle}
              value={start}
              onChange={(e) => setStart(e.target.value)}
              {...described("start")}
            />
          </label>
          {error("start")}
        </div>
        <fieldset className="md:col-span-2" {...described("durationMinutes")}>
          <legend className="text-sm font-medium">{LABEL.durationMinutes}</legend>
          <div className="flex items-center gap-2 text-sm">
            <input
              aria-label="Duration, hours"
              type="number"
              min={0}
              max={24}
              className={`${inputBase} w-20`}
              value={hours}
              onChange={(e) => setHours(e.target.value)}
            />
            <span className="mt-1">h</span>
            <input
              aria-label="Duration, minutes"
              type="number"
              min={0}
              max={59}
              className={`${inputBase} w-20`}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
            <span className="mt-1">min</span>
          </div>
          {error("durationMinutes")}
        </fieldset>
      </div>
      {value && next ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" role="status">
          {next.open && next.closesAt
            ? `Open now, until ${formatInZone(next.closesAt, value.timeZone)}`
            : next.opensAt
              ? `Opens next ${formatInZone(next.opensAt, value.timeZone)} there — ${formatInZone(next.opensAt, here)} your time`
              : null}
          {` · lasts ${formatMinutes(value.durationMinutes)}`}
        </p>
      ) : null}
      <FormError error={serverFields ? null : mutation.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={mutation.isPending}>
          {editing ? "Save the window" : "Add the window"}
        </Button>
        {editing ? (
          <Button variant="secondary" onClick={onDone}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
