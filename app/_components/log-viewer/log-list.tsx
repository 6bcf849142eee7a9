"use client";
// The scrolling list of rows, virtualised (only the rows in sight are in the page, so 100,000 held
// lines cost what 50 do). It follows the newest line while scrolled to the bottom, stops when the
// user scrolls up (keeping the lines they read in place while old ones drop off the top), and
// offers to jump back down.
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown } from "lucide-react";
import {
  type Ref,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import { LogRow, type RowProps } from "./log-row";
import type { LogEntry } from "./types";

const ROW_HEIGHT = 20;
/** Closer than this to the bottom counts as at the bottom. */
const BOTTOM_SLACK = 24;
const MAX_COUNTED_NEW = 10_000;

export interface LogListHandle {
  scrollToRow(index: number): void;
  /** Index of the first row in sight. */
  firstVisibleRow(): number;
}

export function LogList({
  rows,
  rowProps,
  wrap,
  emptyText,
  ref,
}: {
  rows: readonly LogEntry[];
  /** Everything a row needs besides its entry. */
  rowProps: (entry: LogEntry) => Omit<RowProps, "entry">;
  wrap: boolean;
  emptyText: string;
  ref?: Ref<LogListHandle>;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  const followingRef = useRef(true);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.seq ?? i,
  });

  const setFollow = useCallback((v: boolean) => {
    followingRef.current = v;
    setFollowing(v);
  }, []);

  // Sizes differ once lines wrap: measure again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: wrap is the trigger
  useEffect(() => virtualizer.measure(), [wrap, virtualizer]);

  // Where the user is reading, to keep it in place when rows above it drop off.
  const anchor = useRef<{ entry: LogEntry; index: number; delta: number } | undefined>(undefined);
  const rememberAnchor = useCallback(() => {
    const el = scroller.current;
    const first = virtualizer.getVirtualItems().find((v) => v.end > (el?.scrollTop ?? 0));
    const entry = first ? rows[first.index] : undefined;
    anchor.current =
      first && entry && el ? { entry, index: first.index, delta: el.scrollTop - first.start } : undefined;
  }, [rows, virtualizer]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK;
    if (atBottom !== followingRef.current) setFollow(atBottom);
    if (!atBottom) rememberAnchor();
  }, [rememberAnchor, setFollow]);

  const totalSize = virtualizer.getTotalSize();
  // Runs again when measured sizes change the total (wrapped lines), to stay at the bottom.
  // biome-ignore lint/correctness/useExhaustiveDependencies: totalSize is the trigger
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (followingRef.current) {
      el.scrollTop = el.scrollHeight;
      return;
    }
    const a = anchor.current;
    if (!a || rows[a.index] === a.entry) return;
    const index = rows.indexOf(a.entry);
    if (index === -1) return;
    const start = virtualizer.measurementsCache[index]?.start ?? index * ROW_HEIGHT;
    el.scrollTop = start + a.delta;
    anchor.current = { ...a, index };
  }, [rows, totalSize, virtualizer]);

  // New rows below while not following (counted from the newest back, up to a bound).
  const lastSeen = useRef<number>(-1);
  if (following) lastSeen.current = rows.at(-1)?.seq ?? -1;
  let newBelow = 0;
  if (!following) {
    for (let i = rows.length - 1; i >= 0 && newBelow < MAX_COUNTED_NEW; i--) {
      if ((rows[i]?.seq ?? 0) <= lastSeen.current) break;
      newBelow++;
    }
  }

  const jumpToBottom = () => {
    setFollow(true);
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  useImperativeHandle(
    ref,
    () => ({
      scrollToRow(index: number) {
        setFollow(false);
        virtualizer.scrollToIndex(index, { align: "center" });
        requestAnimationFrame(rememberAnchor);
      },
      firstVisibleRow() {
        const el = scroller.current;
        return virtualizer.getVirtualItems().find((v) => v.end > (el?.scrollTop ?? 0))?.index ?? 0;
      },
    }),
    [virtualizer, setFollow, rememberAnchor],
  );

  const items = virtualizer.getVirtualItems();
  return (
    <div className="relative min-h-0 flex-1">
      <section
        ref={scroller}
        onScroll={onScroll}
        aria-label="Log lines"
        data-testid="log-scroller"
        data-following={following}
        // Focusable so the keyboard can scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        tabIndex={0}
        className="h-full overflow-auto bg-white outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40 dark:bg-zinc-950"
      >
        {rows.length === 0 ? (
          <p className="p-4 text-sm text-zinc-500 dark:text-zinc-400">{emptyText}</p>
        ) : (
          <div className="relative w-full" style={{ height: totalSize }}>
            {items.map((v) => {
              const entry = rows[v.index];
              if (!entry) return null;
              return (
                <div
                  key={v.key}
                  data-index={v.index}
                  ref={wrap ? virtualizer.measureElement : undefined}
                  className={`absolute top-0 left-0 ${wrap ? "w-full" : "min-w-full"}`}
                  style={{ transform: `translateY(${v.start}px)` }}
                >
                  <LogRow entry={entry} {...rowProps(entry)} />
                </div>
              );
            })}
          </div>
        )}
      </section>
      {!following && rows.length > 0 ? (
        <button
          type="button"
          onClick={jumpToBottom}
          className="absolute right-5 bottom-4 inline-flex items-center gap-1.5 rounded-full bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-lg hover:bg-indigo-500"
        >
          <ArrowDown aria-hidden className="size-4" />
          Jump to bottom
          {newBelow > 0
            ? ` (${newBelow >= MAX_COUNTED_NEW ? `${MAX_COUNTED_NEW.toLocaleString("en-US")}+` : newBelow.toLocaleString("en-US")} new)`
            : ""}
        </button>
      ) : null}
    </div>
  );
}
