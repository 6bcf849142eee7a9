"use client";
// A yes/no view setting remembered by the browser (localStorage), the same in every tab.
import { useCallback, useSyncExternalStore } from "react";

const EVENT = "minos:stored-toggle";
/** Values set in this page, for when storage refuses them (private mode, quota). */
const memory = new Map<string, boolean>();

function subscribe(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(EVENT, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(EVENT, onChange);
  };
}

function read(key: string, fallback: boolean): boolean {
  const mine = memory.get(key);
  if (mine !== undefined) return mine;
  try {
    const v = window.localStorage.getItem(key);
    return v === null ? fallback : v === "1";
  } catch {
    return fallback;
  }
}

export function useStoredToggle(key: string, fallback: boolean): [boolean, (value: boolean) => void] {
  const value = useSyncExternalStore(
    subscribe,
    () => read(key, fallback),
    () => fallback,
  );
  const set = useCallback(
    (next: boolean) => {
      memory.set(key, next);
      try {
        window.localStorage.setItem(key, next ? "1" : "0");
      } catch {
        // Storage refused: the setting lasts until the page is left.
      }
      window.dispatchEvent(new Event(EVENT));
    },
    [key],
  );
  return [value, set];
}
