// How many log lines per second a Chromium tab shows while following: the real LogViewer (built
// with esbuild, styled by the app's Tailwind) fed by a synthetic stream that behaves like
// useLogStream (one new entries array per frame, 100,000 lines held, the oldest dropped), at
// rising rates. A rate is kept up with when the tab still paints at least 30 frames a second and
// stays at the newest line. BENCH_LOGS_BROWSER_SECONDS sets the time per rate (default 5).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { buildHarness } from "../logs-browser/build";
import type { BenchMetric, BenchSuite } from "../suite";

const RATES = [5_000, 10_000, 20_000, 40_000];
const SECONDS = Number(process.env.BENCH_LOGS_BROWSER_SECONDS ?? 5);
const MIN_FPS = 30;

function serve(dir: string): Promise<{ url: string; close: () => void }> {
  const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
  };
  const server = createServer(async (req, res) => {
    const name = path.basename(new URL(req.url ?? "/", "http://x").pathname) || "index.html";
    try {
      const body = await readFile(path.join(dir, name));
      res.writeHead(200, { "content-type": types[path.extname(name)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    }),
  );
}

interface RateResult {
  rate: number;
  linesPerS: number;
  fps: number;
  p95FrameMs: number;
  following: boolean;
  /** CPU seconds the tab's renderer process (all its threads) and its main thread used per second. */
  rendererCpu: number;
  mainThreadCpu: number;
}

async function cpuTimes(
  cdp: import("@playwright/test").CDPSession,
): Promise<{ process: number; thread: number }> {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as {
    metrics: Array<{ name: string; value: number }>;
  };
  const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? Number.NaN;
  return { process: get("ProcessTime"), thread: get("ThreadTime") };
}

async function measure(
  browser: Awaited<ReturnType<typeof chromium.launch>>,
  url: string,
  rate: number,
  query = "",
): Promise<RateResult> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  try {
    await page.goto(
      `${url}?rate=${rate}&preload=100000&autostart=0&machines=3&q=${encodeURIComponent(query)}`,
    );
    await page.getByTestId("log-line").first().waitFor({ timeout: 120_000 });
    await page.waitForTimeout(500);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const cpu0 = await cpuTimes(cdp);
    await page.evaluate(() => window.benchStart());
    await page.waitForTimeout(SECONDS * 1000);
    const cpu1 = await cpuTimes(cdp);
    const stats = await page.evaluate(() => ({
      appended: window.benchStats.appended,
      frames: window.benchStats.frames,
      elapsed: performance.now() - window.benchStats.started,
    }));
    const following = (await page.getByTestId("log-scroller").getAttribute("data-following")) === "true";
    const frames = [...stats.frames].sort((a, b) => a - b);
    return {
      rate,
      linesPerS: Math.round(stats.appended / (stats.elapsed / 1000)),
      fps: Math.round((stats.frames.length / (stats.elapsed / 1000)) * 10) / 10,
      p95FrameMs: Math.round(frames[Math.floor(frames.length * 0.95)] ?? Number.NaN),
      following,
      rendererCpu: Math.round(((cpu1.process - cpu0.process) / (stats.elapsed / 1000)) * 100) / 100,
      mainThreadCpu: Math.round(((cpu1.thread - cpu0.thread) / (stats.elapsed / 1000)) * 100) / 100,
    };
  } finally {
    await page.close();
  }
}

const suite: BenchSuite = {
  name: "logs-browser",
  description: "log lines/s a Chromium tab renders while following (100,000 held, 3 machines merged)",
  async run(): Promise<BenchMetric[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "minos-bench-logs-browser-"));
    const server = await (async () => {
      await buildHarness(dir);
      return serve(dir);
    })();
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu"],
    });
    const metrics: BenchMetric[] = [];
    try {
      const filtered = await measure(browser, server.url, 20_000, "pod_workers");
      console.log(
        `  20,000 lines/s with a filter (1 line in 6 shown): ${filtered.fps} fps, p95 frame ${filtered.p95FrameMs} ms; CPU s/s: renderer ${filtered.rendererCpu}`,
      );
      metrics.push({
        name: "logs.browser_fps_at_20k_filtered",
        value: filtered.fps,
        unit: "frames/s",
        params: { offered: 20_000, filter: "pod_workers (plain text, 1 line in 6)" },
      });
      let best = 0;
      for (const rate of RATES) {
        const r = await measure(browser, server.url, rate);
        const kept = r.fps >= MIN_FPS && r.following;
        console.log(
          `  ${rate.toLocaleString("en-US")} lines/s offered: ${r.linesPerS.toLocaleString("en-US")} shown/s, ${r.fps} fps, p95 frame ${r.p95FrameMs} ms, ${r.following ? "following" : "NOT following"}${kept ? "" : " — not kept up"}; CPU s/s: renderer ${r.rendererCpu}, main thread ${r.mainThreadCpu}`,
        );
        const params = { offered: rate, held: 100_000, machines: 3, seconds: SECONDS };
        metrics.push({ name: `logs.browser_fps_at_${rate / 1000}k`, value: r.fps, unit: "frames/s", params });
        metrics.push({
          name: `logs.browser_p95_frame_ms_at_${rate / 1000}k`,
          value: r.p95FrameMs,
          unit: "ms",
          params,
        });
        if (kept) best = Math.max(best, r.linesPerS);
      }
      metrics.push({
        name: "logs.browser_lines_per_s",
        value: best,
        unit: "lines/s",
        params: { criterion: `>= ${MIN_FPS} fps and following`, held: 100_000, machines: 3 },
      });
    } finally {
      await browser.close();
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
    return metrics;
  },
};

export default suite;
