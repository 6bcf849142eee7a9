"use client";
// The scrolling list of rows, virtualised (only the rows in sight are in the page, so 100,000 held
// lines cost what 50 do). It follows the newest line while scrolled to the bottom, stops when the
// user scrolls up (keeping the lines they read in place while old ones drop off the top), and
// offers to jump back down.
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown } from "lucide-react";
import {
  type KeyboardEvent,
  type Ref,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type WheelEvent,
} from "react";
import type { LogEntry } from "../../../server/model/log-lines";
import { LogRow, type RowProps } from "./log-row";
import { useFixedWindow } from "./use-fixed-window";

const ROW_HEIGHT = 20;
/** Closer than this to the bottom counts as at the bottom. */
const BOTTOM_SLACK = 24;
const MAX_COUNTED_NEW = 10_000;
/** Keys that scroll a focused list up. */
const SCROLL_UP_KEYS = new Set(["ArrowUp", "PageUp", "Home"]);

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
  // Rows of one line each have a fixed height and need no measuring; wrapped rows are measured.
  const fixed = useFixedWindow({
    count: rows.length,
    rowHeight: ROW_HEIGHT,
    overscan: 12,
    scroller,
    atBottom: following,
    enabled: !wrap,
  });
  const getItemKey = useCallback((i: number) => rows[i]?.seq ?? i, [rows]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey,
    enabled: wrap,
  });
  const startOf = useCallback(
    (index: number) =>
      wrap ? (virtualizer.measurementsCache[index]?.start ?? index * ROW_HEIGHT) : index * ROW_HEIGHT,
    [wrap, virtualizer],
  );

  const setFollow = useCallback((v: boolean) => {
    followingRef.current = v;
    setFollowing(v);
  }, []);

  // Sizes differ once lines wrap: measure again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: wrap is the trigger
  useEffect(() => virtualizer.measure(), [wrap, virtualizer]);

  // Where the user is reading, to keep it in place when rows above it drop off.
  const anchor = useRef<{ entry: LogEntry; index: number; delta: number } | undefined>(undefined);
  const firstInSight = useCallback((): number => {
    const top = scroller.current?.scrollTop ?? 0;
    if (!wrap) return Math.min(rows.length - 1, Math.floor(top / ROW_HEIGHT));
    return virtualizer.getVirtualItems().find((v) => v.end > top)?.index ?? 0;
  }, [wrap, rows.length, virtualizer]);
  const rememberAnchor = useCallback(() => {
    const el = scroller.current;
    const index = firstInSight();
    const entry = rows[index];
    anchor.current = entry && el ? { entry, index, delta: el.scrollTop - startOf(index) } : undefined;
  }, [rows, firstInSight, startOf]);

  // Where the list last put itself while following (the bottom, as the browser clamped it). A scroll
  // event comes a frame after the scroll, and by then the page may have changed around the list: a
  // banner or a wrapped toolbar above it makes the box shorter, and the bottom moves away from a
  // position nobody changed. So only a position above this one, a scroll up, stops following; a
  // position the list set, or a change of layout, never does.
  const pinnedTop = useRef(0);
  const pinToBottom = useCallback((el: HTMLElement, bottom: number) => {
    el.scrollTop = bottom;
    // Setting it laid the list out (to clamp it): reading it back costs nothing more.
    pinnedTop.current = el.scrollTop;
  }, []);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const top = el.scrollTop;
    const atBottom = el.scrollHeight - top - el.clientHeight < BOTTOM_SLACK;
    if (followingRef.current) {
      if (top >= pinnedTop.current - 1) {
        // Not moved by anyone, yet no longer at the bottom: the box changed size. Stay at the bottom.
        if (!atBottom) pinToBottom(el, el.scrollHeight);
        return;
      }
      setFollow(false);
    } else if (atBottom) {
      setFollow(true);
      pinnedTop.current = top;
      return;
    }
    rememberAnchor();
    fixed.onScroll();
  }, [rememberAnchor, setFollow, pinToBottom, fixed.onScroll]);

  // A scroll up by wheel or keyboard stops following at once, before the rows coming meanwhile (a fast
  // stream commits every frame) would put the list back at the bottom.
  const onWheel = useCallback(
    (e: WheelEvent) => {
      if (e.deltaY < 0 && followingRef.current && (scroller.current?.scrollTop ?? 0) > 0) setFollow(false);
    },
    [setFollow],
  );
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (followingRef.current && SCROLL_UP_KEYS.has(e.key)) setFollow(false);
    },
    [setFollow],
  );

  // The box itself resized (window, panels): while following, the newest line stays in sight.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (followingRef.current) pinToBottom(el, el.scrollHeight);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [pinToBottom]);

  const totalSize = wrap ? virtualizer.getTotalSize() : rows.length * ROW_HEIGHT;
  // Runs again when measured sizes change the total (wrapped lines), to stay at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (followingRef.current) {
      // The total is known: no need to read scrollHeight (which would force a layout).
      pinToBottom(el, totalSize);
      return;
    }
    const a = anchor.current;
    if (!a || rows[a.index] === a.entry) return;
    const index = rows.indexOf(a.entry);
    if (index === -1) return;
    el.scrollTop = startOf(index) + a.delta;
    anchor.current = { ...a, index };
  }, [rows, totalSize, startOf, pinToBottom]);

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
    if (el) pinToBottom(el, totalSize);
  };

  useImperativeHandle(
    ref,
    () => ({
      scrollToRow(index: number) {
        setFollow(false);
        const el = scroller.current;
        if (wrap) virtualizer.scrollToIndex(index, { align: "center" });
        else if (el) el.scrollTop = Math.max(0, index * ROW_HEIGHT - el.clientHeight / 2);
        requestAnimationFrame(rememberAnchor);
      },
      firstVisibleRow: firstInSight,
    }),
    [wrap, virtualizer, setFollow, rememberAnchor, firstInSight],
  );

  const items = wrap
    ? virtualizer.getVirtualItems().map((v) => ({ index: v.index, start: v.start }))
    : fixed.items;
  return (
    <div className="relative min-h-0 flex-1">
      <section
        ref={scroller}
        onScroll={onScroll}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
        aria-label="Log lines"
        data-testid="log-scroller"
        data-following={following}
        // Focusable so the keyboard can scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        tabIndex={0}
        className="h-full overflow-auto bg-white [contain:strict] outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40 dark:bg-zinc-950"
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
                  key={entry.seq}
                  data-index={v.index}
                  ref={wrap ? virtualizer.measureElement : undefined}
                  className={`absolute top-0 left-0 ${wrap ? "w-full" : "min-w-full"}`}
                  style={{ transform: `translateY(${v.start}px)`, contain: "layout style" }}
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
