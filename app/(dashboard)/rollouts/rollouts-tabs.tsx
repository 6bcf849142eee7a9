// The Rollouts section's views, as links: the rollouts themselves, and the sites' maintenance windows.
import Link from "next/link";

const TABS = [
  ["rollouts", "Rollouts", "/rollouts"],
  ["windows", "Maintenance windows", "/rollouts/maintenance-windows"],
] as const;

export function RolloutsTabs({ current }: { current: (typeof TABS)[number][0] }) {
  return (
    <nav aria-label="Rollout views" className="mb-5 flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
      {TABS.map(([key, label, href]) => (
        <Link
          key={key}
          href={href}
          aria-current={key === current ? "page" : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm ${key === current ? "border-indigo-600 font-medium text-indigo-700 dark:text-indigo-300" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}
