import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { DataDirLockedError, lockDataDir } from "./data-dir-lock";
import { startEmbeddedPostgres } from "./embedded-postgres";

const silent = pino({ level: "silent" });
const made: string[] = [];

afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-data-"));
  made.push(dir);
  return dir;
}

async function run<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

describe("embedded Postgres", () => {
  it("keeps its data across a stop and a start, on a port other than 5432", async () => {
    const dir = await dataDir();
    const first = await startEmbeddedPostgres(dir, silent);
    expect(new URL(first.url).port).not.toBe("5432");
    await run(first.url, "CREATE TABLE kept (v text)");
    await run(first.url, "INSERT INTO kept VALUES ($1)", ["still here"]);
    await first.stop();

    const second = await startEmbeddedPostgres(dir, silent);
    try {
      expect(await run<{ v: string }>(second.url, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
    } finally {
      await second.stop();
    }
  });
});

describe("data directory lock", () => {
  it("lets one process in and tells the second clearly that another Minos runs there", async () => {
    const dir = await dataDir();
    const release = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(DataDirLockedError);
    await expect(lockDataDir(dir)).rejects.toThrow(
      /Another Minos is already running with the data directory/,
    );
    await release();
    const again = await lockDataDir(dir);
    await again();
  });
});
