// Health states as the views show them: one colour per state (badges and charts alike), worst first.
import type { Health } from "@/server/model/health-words";

export const HEALTH_ORDER: Health[] = [
  "unhealthy",
  "unreachable",
  "degraded",
  "unknown",
  "upgrading",
  "healthy",
];

/** Chart fills, readable on light and dark backgrounds. */
export const HEALTH_COLOR: Record<Health, string> = {
  healthy: "#10b981",
  degraded: "#f59e0b",
  unhealthy: "#ef4444",
  unreachable: "#a855f7",
  upgrading: "#0ea5e9",
  unknown: "#a1a1aa",
};

const badge: Record<Health, string> = {
  healthy: "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300",
  degraded: "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-500/10 dark:text-amber-300",
  unhealthy: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300",
  unreachable: "bg-purple-50 text-purple-700 ring-purple-600/20 dark:bg-purple-500/10 dark:text-purple-300",
  upgrading: "bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-500/10 dark:text-sky-300",
  unknown: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-500/10 dark:text-zinc-300",
};

export function HealthBadge({ health, title }: { health: Health; title?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${badge[health]}`}
    >
      <span aria-hidden className="size-1.5 rounded-full" style={{ background: HEALTH_COLOR[health] }} />
      {health}
    </span>
  );
}
