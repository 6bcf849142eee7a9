// The fleet-wide health history reads health changes counted per hour from `health_change_hour`, which
// database triggers keep. These tests change the history and the inventory every way the application (or
// an operator with psql) can, and check after each change that the counts equal a count made from the
// history itself: every health change, by the hour that ends at or after it. (The history takes removed
// machines' changes back out when it reads: get-health-history.test.ts.)
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";

const HOUR = 3_600_000;
let database: TestDatabase;
let client: pg.Client;

const KEPT = `SELECT extract(epoch FROM hour)::bigint * 1000 AS hour, from_value, to_value, changes
  FROM health_change_hour ORDER BY 1, 2, 3`;
const RECOUNTED = `
  SELECT floor((extract(epoch FROM s.at) * 1000 - 1) / ${HOUR})::bigint * ${HOUR} AS hour, s.from_value,
         s.to_value, count(*)::int AS changes
  FROM machine_state_change s
  WHERE s.field = 'health'
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;

async function expectCountsKept(what: string): Promise<void> {
  const kept = (await client.query(KEPT)).rows;
  const recounted = (await client.query(RECOUNTED)).rows;
  expect(kept, what).toEqual(recounted);
}

const base = Math.floor(Date.now() / HOUR) * HOUR;
/** Health changes of a machine: some exactly on a whole hour, some just after one. */
async function record(machineId: string, n: number, offset = 0): Promise<void> {
  await client.query(
    `INSERT INTO machine_state_change (machine_id, at, field, from_value, to_value)
     SELECT $1, to_timestamp(($2::bigint - g * ${HOUR / 2} - (g % 3) * 1) / 1000.0),
            'health', CASE WHEN g % 2 = 0 THEN 'healthy' ELSE 'unreachable' END,
            CASE WHEN g % 2 = 0 THEN 'unreachable' ELSE 'healthy' END
     FROM generate_series(0, $3::int - 1) g`,
    [machineId, base - offset, n],
  );
}

let clusterId = "";
async function machine(hostname: string): Promise<string> {
  const { rows } = await client.query(
    `INSERT INTO machine (id, cluster_id, hostname, address, role, updated_at)
     VALUES (gen_random_uuid(), $1, $2, $3, 'worker', now()) RETURNING id`,
    [clusterId, hostname, `10.9.0.${hostname.length}`],
  );
  return rows[0].id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query(
    "INSERT INTO cluster (id, name, endpoints, updated_at) VALUES (gen_random_uuid(), 'c', '{}', now()) RETURNING id",
  );
  clusterId = rows[0].id;
});
afterAll(async () => {
  await client.end();
  await database.drop();
});

describe("health changes counted per hour", () => {
  it("follow the history through writes, edits, deletions and machines removed, restored or deleted", async () => {
    const a = await machine("a");
    const b = await machine("bb");
    const c = await machine("ccc");
    await record(a, 30);
    await record(b, 20, 7 * 60_000);
    await record(c, 10);
    // Other fields are not health.
    await client.query(
      "INSERT INTO machine_state_change (machine_id, at, field, from_value, to_value) VALUES ($1, now(), 'stage', 'booting', 'running')",
      [a],
    );
    await expectCountsKept("after writes");
    expect((await client.query(KEPT)).rows.length).toBeGreaterThan(10);

    await client.query("UPDATE machine SET removed_at = now() WHERE id = $1", [b]);
    await expectCountsKept("a machine removed");
    await record(b, 3, HOUR);
    await expectCountsKept("a removed machine's change written");
    await client.query("UPDATE machine SET removed_at = NULL WHERE id = $1", [b]);
    await expectCountsKept("the machine restored");

    await client.query(
      "DELETE FROM machine_state_change WHERE id IN (SELECT id FROM machine_state_change WHERE machine_id = $1 LIMIT 4)",
      [a],
    );
    await expectCountsKept("changes deleted");
    await client.query(
      "UPDATE machine_state_change SET at = at - interval '90 minutes' WHERE machine_id = $1 AND field = 'health'",
      [c],
    );
    await expectCountsKept("changes moved in time");

    await client.query("DELETE FROM machine WHERE id = $1", [a]);
    await expectCountsKept("a machine deleted with its history");
    await client.query("UPDATE machine SET removed_at = now() WHERE id = $1", [c]);
    await client.query("DELETE FROM machine WHERE id = $1", [c]);
    await expectCountsKept("a removed machine deleted");
    await client.query("DELETE FROM cluster WHERE id = $1", [clusterId]);
    await expectCountsKept("the cluster deleted");
    expect((await client.query(KEPT)).rows).toEqual([]);
  });

  it("count by absolute hours, whatever the session's time zone", async () => {
    const { rows } = await client.query(
      "INSERT INTO cluster (id, name, endpoints, updated_at) VALUES (gen_random_uuid(), 'tz', '{}', now()) RETURNING id",
    );
    clusterId = rows[0].id;
    const m = await machine("tz");
    await client.query("SET TIME ZONE 'Asia/Kolkata'"); // +05:30
    await record(m, 6);
    await client.query("RESET TIME ZONE");
    await expectCountsKept("written in another time zone");
    for (const r of (await client.query(KEPT)).rows) expect(Number(r.hour) % HOUR).toBe(0);
    await client.query("TRUNCATE machine_state_change");
    expect((await client.query(KEPT)).rows).toEqual([]);
  });
});
