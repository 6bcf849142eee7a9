// What the browser tests that watch a machine's health share: its health as the database has it (polled
// until it matches), and its health badge in the machines list.
import { expect, type Page } from "@playwright/test";
import { withDb } from "./database";

export const HEALTH = /^(healthy|degraded|unhealthy|unreachable|upgrading|unknown)$/;
/** A failed kubelet makes any machine unhealthy (a critical service), whatever else it has. */
export const UNHEALTHY = /^unhealthy$/;
/** Collected and not unhealthy: healthy, or degraded by slow answers on a loaded machine. */
export const WORKING = /^(healthy|degraded|upgrading)$/;
export const NOT_UNHEALTHY = /^(healthy|degraded|upgrading|unreachable|unknown)$/;

const storedHealth = (hostname: string) =>
  withDb(async (db) => {
    const { rows } = await db.query("SELECT health::text, health_reason FROM machine WHERE hostname = $1", [
      hostname,
    ]);
    // With the reason, so a wait that times out says why.
    return rows[0] ? `${rows[0].health}: ${rows[0].health_reason}` : "";
  });

/** Polls the database every 100 ms until the machine's stored health matches `expected`. */
export async function stored(hostname: string, expected: RegExp, what: string): Promise<void> {
  await expect
    .poll(() => storedHealth(hostname), { timeout: 60_000, intervals: [100], message: what })
    .toMatch(new RegExp(`${expected.source.replace(/\$$/, "")}:`));
}

/** The machine's row in the machines list. */
export const machineRow = (page: Page, hostname: string) =>
  page.getByRole("row").filter({ has: page.getByRole("link", { name: hostname, exact: true }) });

/** The health badge in the machine's row of the list. */
export const healthOnScreen = (page: Page, hostname: string) => machineRow(page, hostname).getByText(HEALTH);
