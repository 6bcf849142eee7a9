// Live logs in the browser, against the bundled simulator: open a machine's kubelet log and see
// lines arrive, pause and resume with the count of lines held, filter with a regex, merge three
// machines, download what is shown, and open the view's URL in a new page to get the same view.
import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import type { RunningSimulator } from "@/sim";
import { shot, withDb } from "./database";
import { mutate, signIn } from "./helpers";
import { type SimulatedFleet, startSimulatedFleet } from "./simulated-fleet";

let fleet: SimulatedFleet;
let sim: RunningSimulator;

/** The simulated fleet's machines (imported if not yet), by hostname, in the simulator's order. */
async function machines(page: Page): Promise<Array<{ id: string; hostname: string }>> {
  const nodes = sim.clusters.flatMap((c) => c.nodes.map((n) => n.hostname));
  const find = () =>
    withDb(async (db) => {
      const { rows } = await db.query("SELECT id, hostname FROM machine WHERE hostname = ANY($1)", [nodes]);
      return rows as Array<{ id: string; hostname: string }>;
    });
  if ((await find()).length === 0) {
    await mutate(page, "inventory.import", { talosconfig: sim.talosconfig, site: "eu/dk/e2e-logs" });
  }
  let found: Array<{ id: string; hostname: string }> = [];
  await expect
    .poll(
      async () => {
        found = await find();
        return found.length;
      },
      { message: "the import lists every machine" },
    )
    .toBe(nodes.length);
  return nodes.map((h) => found.find((m) => m.hostname === h) as { id: string; hostname: string });
}

const lineCount = async (page: Page) =>
  Number(
    ((await page.getByTestId("line-count").textContent()) ?? "")
      .match(/([\d,]+) lines/)?.[1]
      ?.replace(/,/g, ""),
  );

/** Removes the simulated fleet's clusters and their credentials (a retried worker imports again). */
test.beforeAll(async () => {
  // Time scale 200: kubelet writes a line every 100 ms.
  fleet = await startSimulatedFleet({ name: "logs", seed: "e2e-logs", nodesPerCluster: 4, timeScale: 200 });
  sim = fleet.sim;
});

test.afterAll(async () => {
  await fleet?.stop();
});

test("a machine's kubelet log: lines arrive, pause holds them with a count, a regex filters", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signIn(page);
  const [m] = await machines(page);
  if (!m) throw new Error("no machine");

  await page.goto(`/machines/${m.id}/logs?source=kubelet`);
  await expect(page.getByRole("heading", { name: m.hostname })).toBeVisible();
  await expect(
    page.getByRole("link", { name: "Logs" }).and(page.locator("[aria-current=page]")),
  ).toBeVisible();
  await expect(page.getByLabel("Log source")).toHaveValue("kubelet");
  await expect(page.getByTestId("log-stream-status")).toHaveText("live", { timeout: 15_000 });
  await expect(page.getByTestId("log-line").first()).toBeVisible();
  // The tail, then new lines as the node writes them, following the bottom.
  const first = await lineCount(page);
  await expect.poll(() => lineCount(page), { message: "new lines arrive" }).toBeGreaterThan(first);
  await expect(page.getByTestId("log-scroller")).toHaveAttribute("data-following", "true");
  await expect(page.getByTestId("log-line").last()).toContainText('"caller"');
  await shot(page, "logs-machine");

  // Pause: the view stands still and says how many lines it holds back.
  await page.getByRole("button", { name: "Pause" }).click();
  const held = page.getByTestId("buffered");
  await expect(held).toHaveText(/^Paused: [1-9][\d,]* new lines? held$/);
  const atPause = await lineCount(page);
  await expect
    .poll(async () => Number((await held.textContent())?.match(/(\d+) new/)?.[1]))
    .toBeGreaterThan(3);
  expect(await lineCount(page)).toBe(atPause);
  const heldNow = Number((await held.textContent())?.match(/(\d+) new/)?.[1]);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(held).toBeHidden();
  expect(await lineCount(page)).toBeGreaterThanOrEqual(atPause + heldNow);

  // A regex: only matching lines, each match highlighted, "n of m" with next.
  await page.getByRole("button", { name: "Regular expression" }).click();
  await page.getByLabel("Filter lines").fill("SyncLoop (UPDATE|RECONCILE)");
  await expect(page.getByTestId("line-count")).toHaveText(/^\d+ of [\d,]+ lines shown$/);
  const shown = await page.getByTestId("log-line").allTextContents();
  expect(shown.length).toBeGreaterThan(0);
  for (const text of shown) expect(text).toMatch(/SyncLoop (UPDATE|RECONCILE)/i);
  await expect(page.getByTestId("log-line").locator("mark").first()).toBeVisible();
  await page.getByRole("button", { name: "Next match" }).click();
  await expect(page.getByTestId("match-count")).toHaveText(/^\d+ of \d+$/);
  await expect(page.locator("mark[data-current-match]")).toHaveCount(1);
  await expect(page).toHaveURL(/q=SyncLoop\+%28UPDATE%7CRECONCILE%29&re=1/);

  // An invalid regex says so and filters nothing.
  await page.getByLabel("Filter lines").fill("(unclosed");
  await expect(page.getByRole("alert").filter({ hasText: "Not a valid regular expression" })).toBeVisible();
  await expect(page.getByTestId("line-count")).toHaveText(/^[\d,]+ lines$/);
});

test("following: the newest line stays in sight when the page above the list changes as lines arrive; a scroll up stops it, Jump to bottom resumes", async ({
  page,
}) => {
  test.setTimeout(60_000);
  await signIn(page);
  const [m] = await machines(page);
  if (!m) throw new Error("no machine");
  await page.goto(`/machines/${m.id}/logs?source=kubelet`);
  await expect(page.getByTestId("log-stream-status")).toHaveText("live", { timeout: 15_000 });
  const scroller = page.getByTestId("log-scroller");
  const first = await lineCount(page);
  await expect.poll(() => lineCount(page), { message: "new lines arrive" }).toBeGreaterThan(first);

  // Right after the list scrolled itself to a new line, something above it (a banner, a toolbar that
  // wraps) takes 40 px, before the browser reports that scroll: the list must not take it for the
  // user's own scroll.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const list = document.querySelector("[data-testid=log-scroller]") as HTMLElement;
        const box = list.parentElement as HTMLElement;
        const observer = new MutationObserver(() => {
          observer.disconnect();
          setTimeout(() => {
            const banner = document.createElement("div");
            banner.style.height = "40px";
            banner.textContent = "a banner above the list";
            box.parentElement?.insertBefore(banner, box);
            resolve();
          }, 0);
        });
        observer.observe(list, { subtree: true, childList: true });
      }),
  );
  const atPause = await lineCount(page);
  await expect.poll(() => lineCount(page)).toBeGreaterThan(atPause + 3);
  await expect(scroller).toHaveAttribute("data-following", "true");
  await expect(page.getByRole("button", { name: /Jump to bottom/ })).toBeHidden();
  const newestInSight = async () => {
    const list = await scroller.boundingBox();
    const last = await page.getByTestId("log-line").last().boundingBox();
    return !!list && !!last && last.y + last.height <= list.y + list.height + 1 && last.y >= list.y;
  };
  await expect.poll(newestInSight, { message: "the newest line is in sight" }).toBe(true);

  // The user scrolls up: following stops, the lines they read stay put, new ones are counted below.
  await scroller.hover();
  await page.mouse.wheel(0, -300);
  await expect(scroller).toHaveAttribute("data-following", "false");
  const jump = page.getByRole("button", { name: /Jump to bottom/ });
  await expect(jump).toHaveText(/Jump to bottom \([1-9][\d,]* new\)/, { timeout: 10_000 });
  const reading = await page.getByTestId("log-line").first().textContent();
  await expect
    .poll(async () => Number((await jump.textContent())?.match(/\((\d+) new/)?.[1]))
    .toBeGreaterThan(2);
  expect(await page.getByTestId("log-line").first().textContent()).toBe(reading);

  await jump.click();
  await expect(scroller).toHaveAttribute("data-following", "true");
  await expect(jump).toBeHidden();
  await expect.poll(newestInSight).toBe(true);
});

test("three machines merged, downloaded, and the URL reopens the same view", async ({ page, context }) => {
  test.setTimeout(90_000);
  await signIn(page);
  const three = (await machines(page)).slice(0, 3);
  const ids = three.map((m) => m.id).join(",");

  await page.goto(`/logs?machines=${ids}&source=kubelet&tail=100`);
  const legend = page.getByRole("list", { name: "Machines in this view" });
  await expect(legend.getByTestId("log-legend-machine")).toHaveCount(3);
  for (const m of three) await expect(legend).toContainText(m.hostname);
  await expect(legend.getByTestId("log-stream-status")).toHaveText(["live", "live", "live"], {
    timeout: 15_000,
  });
  // Lines of all three, each marked with its machine, in time order.
  await expect
    .poll(
      async () =>
        new Set(
          await page
            .getByTestId("log-line")
            .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-machine"))),
        ).size,
    )
    .toBe(3);
  const times = await page
    .getByTestId("log-line")
    .locator("time")
    .evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute("datetime") ?? "")));
  expect(times).toEqual([...times].sort((a, b) => a - b));

  await page.getByRole("button", { name: "Regular expression" }).click();
  await page.getByLabel("Filter lines").fill("SyncLoop (UPDATE|RECONCILE)");
  await expect(page).toHaveURL(/q=SyncLoop\+%28UPDATE%7CRECONCILE%29/);
  await shot(page, "logs-merged");

  // Download what is shown, as text and as JSON lines (paused, so both hold the same rows).
  await page.getByRole("button", { name: "Pause" }).click();
  await page.getByText("Download", { exact: true }).click();
  const [text] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Text (.log)" }).click(),
  ]);
  expect(text.suggestedFilename()).toMatch(/^minos-logs-kubelet-3-machines-\d{8}T\d{6}Z\.log$/);
  const body = await readFile((await text.path()) as string, "utf8");
  const lines = body.trim().split("\n");
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(l).toMatch(/SyncLoop (UPDATE|RECONCILE)/i);
  for (const m of three) expect(body).toContain(m.hostname);
  await page.getByText("Download", { exact: true }).click();
  const [jsonl] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /JSON lines/ }).click(),
  ]);
  const rows = (await readFile((await jsonl.path()) as string, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { machine: string; machineId: string; time: string; line: string });
  expect(rows).toHaveLength(lines.length);
  for (const r of rows) {
    expect(three.map((m) => m.hostname)).toContain(r.machine);
    expect(Number.isNaN(Date.parse(r.time))).toBe(false);
    expect(r.line).toMatch(/SyncLoop (UPDATE|RECONCILE)/i);
  }
  await page.getByRole("button", { name: "Resume" }).click();

  // The URL reproduces machines, source, tail and filter in a new page.
  const url = page.url();
  const again = await context.newPage();
  await again.goto(url);
  await expect(again.getByLabel("Log source")).toHaveValue("kubelet");
  await expect(again.getByLabel("Lines before following")).toHaveValue("100");
  await expect(again.getByLabel("Filter lines")).toHaveValue("SyncLoop (UPDATE|RECONCILE)");
  await expect(again.getByRole("button", { name: "Regular expression" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(
    again.getByRole("list", { name: "Machines in this view" }).getByTestId("log-legend-machine"),
  ).toHaveCount(3);
  await expect(again.getByTestId("log-line").first()).toBeVisible({ timeout: 15_000 });
  for (const text of await again.getByTestId("log-line").allTextContents()) {
    expect(text).toMatch(/SyncLoop (UPDATE|RECONCILE)/i);
  }
});

test("timestamps say their zone: UTC, or the viewer's own on request (remembered)", async ({ browser }) => {
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    timezoneId: "America/New_York",
  });
  const page = await context.newPage();
  await signIn(page);
  const [m] = await machines(page);
  if (!m) throw new Error("no machine");
  await page.goto(`/machines/${m.id}/logs?source=kubelet`);
  await expect(page.getByTestId("log-line").first()).toBeVisible({ timeout: 15_000 });
  const zone = page.getByTestId("log-time-zone");
  await expect(zone).toHaveText("UTC");
  // A line's time as shown agrees with its instant read in the zone the toggle names.
  const shownIn = (timeZone: string) => async () => {
    const t = page.getByTestId("log-line").first().locator("time");
    const instant = await t.getAttribute("datetime");
    const shown = (await t.textContent()) ?? "";
    const hhmm = new Date(instant ?? "").toLocaleTimeString("en-GB", { timeZone, hour12: false }).slice(0, 5);
    return shown.includes(hhmm);
  };
  await expect.poll(shownIn("UTC"), { message: "times in UTC" }).toBe(true);
  await zone.click();
  await expect(zone).toHaveText("America/New_York");
  await expect.poll(shownIn("America/New_York"), { message: "times in New York's zone" }).toBe(true);
  await expect.poll(shownIn("UTC")).toBe(false);
  await page.reload();
  await expect(page.getByTestId("log-time-zone")).toHaveText("America/New_York");
  await context.close();
});

test("hostile lines stay inert text and a 1 MB line does not freeze the page", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page);
  const all = await machines(page);
  const m = all[all.length - 1];
  const node = sim.clusters[0]?.nodes.find((n) => n.hostname === m?.hostname);
  if (!m || !node) throw new Error("no machine");
  const write = async (body: unknown) => {
    const res = await fetch(`${sim.controlUrl}/nodes/${node.address}/logs/kubelet`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    expect(res.ok, await res.text()).toBe(true);
  };
  await write({
    lines: [
      '<script>window.e2eXss=1</script><img src=x onerror="window.e2eXss=2">e2e-hostile',
      "\x1b[31me2e-red\x1b[0m then a broken \x1b[",
      "\x1b]8;;https://evil.example\x07e2e-osc-link\x1b]8;;\x07 and https://evil.example/plain",
      `e2e-huge ${"A".repeat(1_000_000)} END`,
    ],
  });
  await write({
    base64: [Buffer.from([0x65, 0x32, 0x65, 0x2d, 0x62, 0x61, 0x64, 0xff, 0xfe, 0x21]).toString("base64")],
  });

  await page.goto(`/machines/${m.id}/logs?source=kubelet&tail=100&q=e2e-`);
  const scroller = page.getByTestId("log-scroller");
  await expect(scroller.getByText("e2e-hostile", { exact: false })).toBeVisible({ timeout: 15_000 });
  await expect(scroller.getByText(/e2e-bad/)).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { e2eXss?: number }).e2eXss)).toBeUndefined();
  expect(await scroller.locator("img, script, a").count()).toBe(0);
  // Colours from ANSI, a broken sequence shown as text, an OSC 8 link as text.
  await expect(scroller.locator("span.text-red-700", { hasText: /^red$/ })).toBeVisible();
  await expect(scroller.getByText("then a broken ^[[", { exact: false })).toBeVisible();
  await expect(
    scroller.getByText("^[]8;;https://evil.example^Ge2e-osc-link", { exact: false }),
  ).toBeVisible();
  // The 1 MB line shows its start and says how much more there is; the page still answers.
  await expect(scroller.getByText(/more characters \(Download holds the whole line\)/)).toBeVisible();
  const started = Date.now();
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  expect(Date.now() - started).toBeLessThan(5_000);
  await shot(page, "logs-hostile");
});
