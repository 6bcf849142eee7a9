// Hostile log lines render as inert text: no markup, no links, control characters visible, and a
// 1 MB line cut to what is shown.

import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../../server/model/log-lines";
import { LogRow, MAX_SHOWN_CHARS, type RowProps } from "./log-row";
import { machineColour } from "./machine-colours";
import { literalPattern } from "./text-pattern";

const row = (text: string, over: Partial<RowProps> = {}) => {
  const entry: LogEntry = { type: "line", seq: 1, machineId: "m", time: Date.UTC(2025, 10, 25), text };
  return renderToStaticMarkup(
    createElement(LogRow, {
      entry,
      hostname: '<b onmouseover="x">node</b>',
      colour: machineColour(0),
      showHost: true,
      showTime: true,
      localTime: false,
      wrap: false,
      pattern: undefined,
      current: -1,
      ...over,
    }),
  );
};

describe("LogRow", () => {
  it("shows times in UTC, or in the browser's time zone when asked", () => {
    // 2025-11-25 00:00 UTC; the test process runs in UTC unless TZ says otherwise.
    expect(row("x")).toContain("11-25 </span>00:00:00.000");
    const local = new Date(Date.UTC(2025, 10, 25));
    const hh = String(local.getHours()).padStart(2, "0");
    expect(row("x", { localTime: true })).toContain(`${hh}:00:00.000`);
  });

  it("keeps markup in lines and hostnames as text", () => {
    const html = row('<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:x">y</a>');
    expect(html).not.toMatch(/<script|<img|<a |<b /);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;b onmouseover=&quot;x&quot;&gt;node&lt;/b&gt;");
  });

  it("never turns URLs or OSC 8 hyperlinks into links", () => {
    const html = row("see https://evil.example/x and \x1b]8;;https://evil.example\x07here\x1b]8;;\x07");
    expect(html).not.toContain("<a");
    expect(html).toContain("^[]8;;https://evil.example^Ghere");
  });

  it("colours ANSI sequences with classes, never with markup from the line", () => {
    const html = row('\x1b[31m<span style="x">red</span>\x1b[0m');
    expect(html).toContain('class="text-red-700 dark:text-red-400"');
    expect(html).toContain("&lt;span style=&quot;x&quot;&gt;red&lt;/span&gt;");
  });

  it("shows the start of a 1 MB line and says how much more there is", () => {
    const html = row("x".repeat(1_000_000));
    expect(html.length).toBeLessThan(MAX_SHOWN_CHARS + 2_000);
    expect(html).toContain(`${(1_000_000 - MAX_SHOWN_CHARS).toLocaleString("en-US")} more characters`);
  });

  it("marks matches, and the current one apart", () => {
    const html = row("error then error", { pattern: literalPattern("error", false), current: 1 });
    expect(html.match(/<mark/g)).toHaveLength(2);
    expect(html.match(/data-current-match/g)).toHaveLength(1);
  });

  it("shows gap markers apart from lines", () => {
    const html = renderToStaticMarkup(
      createElement(LogRow, {
        entry: {
          type: "marker",
          seq: 2,
          machineId: "m",
          time: 0,
          kind: "gap",
          text: "reconnected after 4 s",
        },
        hostname: "node-a",
        colour: machineColour(1),
        showHost: true,
        showTime: false,
        localTime: false,
        wrap: false,
        pattern: undefined,
        current: -1,
      }),
    );
    expect(html).toContain('data-testid="log-marker"');
    expect(html).toContain('data-kind="gap"');
    expect(html).toContain("reconnected after 4 s");
  });
});
