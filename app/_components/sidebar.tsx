"use client";
// The navigation sidebar; the current section is highlighted and announced to screen readers.
// Sections are prefetched when the pointer or focus reaches their link, not all at once on every page
// load: ten sections in view would cost the server twenty renders while the page's own requests wait.
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { navItems } from "./nav-items";
import { ThemeToggle } from "./theme-toggle";
import { useMe } from "./use-me";
import { UserMenu } from "./user-menu";

export function Sidebar() {
  const pathname = usePathname();
  const router = useRouter();
  const { may } = useMe();
  return (
    <aside className="flex w-60 shrink-0 flex-col border-r border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex h-14 items-center gap-2 px-5">
        {/* biome-ignore lint/performance/noImgElement: a 28 px SVG needs no image optimisation */}
        <img src="/icon.svg" alt="" width={28} height={28} className="size-7" />
        <span className="text-base font-semibold tracking-tight">Minos</span>
      </div>
      <nav aria-label="Main" className="flex-1 px-3 py-2">
        <ul className="space-y-0.5">
          {navItems
            .filter((item) => may(item.permission))
            .map((item) => {
              const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
              const Icon = item.icon;
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    prefetch={false}
                    onMouseEnter={() => router.prefetch(item.href)}
                    onFocus={() => router.prefetch(item.href)}
                    aria-current={active ? "page" : undefined}
                    className={`flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors ${
                      active
                        ? "bg-indigo-50 text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300"
                        : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
                    }`}
                  >
                    <Icon aria-hidden className="size-4 shrink-0" />
                    {item.label}
                  </Link>
                </li>
              );
            })}
        </ul>
      </nav>
      <div className="border-t border-zinc-200 p-3 dark:border-zinc-800">
        <UserMenu />
        <ThemeToggle />
      </div>
    </aside>
  );
}
