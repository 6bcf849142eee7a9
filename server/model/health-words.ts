// Health states, their order of severity, and the phrases reasons are written with.

export const HEALTH_STATES = [
  "healthy",
  "degraded",
  "unhealthy",
  "unreachable",
  "upgrading",
  "unknown",
] as const;
export type Health = (typeof HEALTH_STATES)[number];

/** Worst first: what needs attention soonest. Upgrading is expected, unknown says we cannot tell. */
export const SEVERITY: Record<Health, number> = {
  unhealthy: 5,
  unreachable: 4,
  degraded: 3,
  unknown: 2,
  upgrading: 1,
  healthy: 0,
};

export function worst(states: Iterable<Health>): Health | undefined {
  let w: Health | undefined;
  for (const s of states) if (w === undefined || SEVERITY[s] > SEVERITY[w]) w = s;
  return w;
}

/** "7 minutes ago", "just now", "2 hours ago", "3 days ago". */
export function ago(then: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (s < 10) return "just now";
  if (s < 60) return `${s} seconds ago`;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return plural(m, "minute");
  const h = Math.floor(m / 60);
  if (h < 48) return plural(h, "hour");
  return plural(Math.floor(h / 24), "day");
}

/** "a, b and 3 more" — keeps reasons short when many things are wrong. */
export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}
