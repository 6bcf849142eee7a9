"use client";
// Light / dark / system theme switch, remembered by the browser.
import { Monitor, Moon, Sun } from "lucide-react";
import { useTheme } from "next-themes";
import { useEffect, useState } from "react";

const options = [
  { value: "light", label: "Light", icon: Sun },
  { value: "dark", label: "Dark", icon: Moon },
  { value: "system", label: "System", icon: Monitor },
] as const;

export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  // The stored theme is only known in the browser: render neutral until mounted.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <fieldset className="flex rounded-md bg-zinc-100 p-0.5 dark:bg-zinc-800">
      <legend className="sr-only">Theme</legend>
      {options.map((o) => {
        const Icon = o.icon;
        const selected = mounted && theme === o.value;
        return (
          <button
            key={o.value}
            type="button"
            title={`${o.label} theme`}
            aria-pressed={selected}
            onClick={() => setTheme(o.value)}
            className={`flex flex-1 items-center justify-center gap-1 rounded px-2 py-1 text-xs font-medium ${
              selected
                ? "bg-white text-zinc-900 shadow-sm dark:bg-zinc-700 dark:text-zinc-100"
                : "text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
            }`}
          >
            <Icon aria-hidden className="size-3.5" />
            <span>{o.label}</span>
          </button>
        );
      })}
    </fieldset>
  );
}
