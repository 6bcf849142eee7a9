// A section's views as tabs (links), the current one marked: Drift (overview, baselines), Rollouts
// (rollouts, maintenance windows).
import Link from "next/link";

export interface SectionTab {
  key: string;
  label: string;
  href: string;
}

export function SectionTabs({
  label,
  tabs,
  current,
}: {
  label: string;
  tabs: readonly SectionTab[];
  current: string;
}) {
  return (
    <nav aria-label={label} className="mb-5 flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
      {tabs.map(({ key, label: text, href }) => (
        <Link
          key={key}
          href={href}
          aria-current={key === current ? "page" : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm ${key === current ? "border-indigo-600 font-medium text-indigo-700 dark:text-indigo-300" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}
        >
          {text}
        </Link>
      ))}
    </nav>
  );
}
