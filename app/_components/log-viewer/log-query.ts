// The URL of a log view: machines, source, tail, follow and the filter, so a link reproduces the
// view. `/logs?machines=<id>,<id>&source=kubelet&tail=500&q=<filter>&re=1&case=1&levels=error,warn`
import { type LogFilter, NO_FILTER } from "./filter";
import { LEVELS } from "./levels";

/** The most machines one view merges (the server refuses more). */
export const MAX_MACHINES = 16;
export const TAIL_CHOICES = [100, 500, 1_000, 5_000, 10_000] as const;
export const DEFAULT_TAIL = 500;
const MAX_TAIL = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface LogQuery {
  machines: string[];
  /** Entries of `machines=` that are not machine ids (shown as a problem, not sent). */
  invalidMachines: string[];
  /** undefined: not chosen yet (the view picks one the machines have). */
  source: string | undefined;
  tail: number;
  follow: boolean;
  filter: LogFilter;
}

export function parseLogQuery(params: URLSearchParams): LogQuery {
  const listed = (params.get("machines") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const machines = [...new Set(listed.filter((s) => UUID.test(s)).map((s) => s.toLowerCase()))];
  const source = params.get("source") ?? "";
  const tail = Number(params.get("tail") ?? DEFAULT_TAIL);
  const levels = params.get("levels");
  return {
    machines,
    invalidMachines: listed.filter((s) => !UUID.test(s)),
    source: SOURCE.test(source) ? source : undefined,
    tail: Number.isInteger(tail) && tail >= 0 ? Math.min(tail, MAX_TAIL) : DEFAULT_TAIL,
    follow: params.get("follow") !== "0",
    filter: {
      query: params.get("q") ?? "",
      regex: params.get("re") === "1",
      caseSensitive: params.get("case") === "1",
      levels: levels === null ? NO_FILTER.levels : LEVELS.filter((l) => levels.split(",").includes(l)),
      showAll: params.get("show") === "all",
    },
  };
}

/** The query string for a view; defaults are left out so links stay short. */
export function logQueryString(q: Omit<LogQuery, "invalidMachines">, withMachines = true): string {
  const p = new URLSearchParams();
  if (withMachines && q.machines.length) p.set("machines", q.machines.join(","));
  if (q.source) p.set("source", q.source);
  if (q.tail !== DEFAULT_TAIL) p.set("tail", String(q.tail));
  if (!q.follow) p.set("follow", "0");
  if (q.filter.query) p.set("q", q.filter.query);
  if (q.filter.regex) p.set("re", "1");
  if (q.filter.caseSensitive) p.set("case", "1");
  if (q.filter.levels.length < LEVELS.length) p.set("levels", q.filter.levels.join(","));
  if (q.filter.showAll) p.set("show", "all");
  // Commas in the machine list read better unescaped.
  return p.toString().replace(/%2C/g, ",");
}

/** The source a view starts with when the URL names none: kubelet, else machined, else the first. */
export function defaultSource(sources: readonly string[]): string | undefined {
  for (const s of ["kubelet", "machined"]) if (sources.includes(s)) return s;
  return sources[0];
}
