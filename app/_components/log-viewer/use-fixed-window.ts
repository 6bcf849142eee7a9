"use client";
// Which rows of a list of fixed-height rows are in sight: O(rows in sight) per frame, however many
// rows there are (a general virtualiser recomputes every row's position whenever rows arrive, which
// at 100,000 held lines costs more than drawing them). Used while lines do not wrap.
import { type RefObject, useEffect, useState } from "react";

export interface WindowItem {
  index: number;
  start: number;
}

export function useFixedWindow({
  count,
  rowHeight,
  overscan,
  scroller,
  atBottom,
  enabled,
}: {
  count: number;
  rowHeight: number;
  overscan: number;
  scroller: RefObject<HTMLElement | null>;
  /** Following the newest row: the window is the last rows, whatever the scroll position says. */
  atBottom: boolean;
  enabled: boolean;
}): { items: WindowItem[]; onScroll: () => void } {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = scroller.current;
    if (!el || !enabled) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, [scroller, enabled]);
  const items: WindowItem[] = [];
  if (enabled && count > 0) {
    const inSight = Math.ceil(height / rowHeight);
    // At the bottom nothing is below, and rows above scroll out of sight as new ones come: two spare.
    const first = atBottom
      ? Math.max(0, count - inSight - 2)
      : Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
    const last = atBottom ? count : Math.min(count, first + inSight + 2 * overscan + 1);
    for (let i = first; i < last; i++) items.push({ index: i, start: i * rowHeight });
  }
  return {
    items,
    onScroll: () => {
      const el = scroller.current;
      if (el) setScrollTop(el.scrollTop);
    },
  };
}
