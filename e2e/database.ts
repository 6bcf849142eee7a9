// The browser tests' own way into Minos's database (to seed or clean rows) and their screenshots: the
// embedded Postgres of the run's data directory, or DATABASE_URL when set.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "@playwright/test";
import pg from "pg";

export async function databaseUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dir = process.env.E2E_DATA_DIR ?? "";
  const port = (await readFile(path.join(dir, "postgres.port"), "utf8")).trim();
  const password = (await readFile(path.join(dir, "postgres.password"), "utf8")).trim();
  return `postgresql://minos:${encodeURIComponent(password)}@127.0.0.1:${port}/minos`;
}

/** Runs `fn` with a connection to the database the Minos under test uses. */
export async function withDb<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await databaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A full-page screenshot into E2E_SCREENSHOTS_DIR, when set (for looking at the pages). */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS_DIR;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
