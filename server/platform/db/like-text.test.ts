// "%" and "_" typed by a user mean themselves, in every search, site filter, selector and scope: a
// scope "site:us_ny/*" does not reach us/ny, a search for "%" matches nothing, "site in (u_/*)" no US
// site — while the same texts without wildcards still find what they name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../../access/audit/record-audit";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { likeText } from "./like-text";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const ny = await db.cluster.create({ data: { name: "ny-store-7", site: "us/ny/store-7", endpoints: [] } });
  const dk = await db.cluster.create({ data: { name: "dk_hq", site: "eu/dk/hq", endpoints: [] } });
  await db.machine.createMany({
    data: [
      { clusterId: ny.id, hostname: "ny-w-1", address: "10.1.0.1", role: "worker" },
      { clusterId: dk.id, hostname: "dk_w_1", address: "10.2.0.1", role: "worker" },
    ],
  });
  await recordAudit(db, { actor: "alice", action: "machine.update", target: "machine:x", result: "ok" });
});
afterAll(() => database.drop());

const as = (scope = "", role: "viewer" | "admin" = "viewer") =>
  createCaller(createContextInner({ db: database.db, principal: principalWith("u", { role, scope }) }));
const hostnames = async (input: Record<string, unknown>, scope = "") =>
  (await as(scope).machines.list(input)).rows.map((m: { hostname: string }) => m.hostname).sort();

describe("LIKE wildcards in user text", () => {
  it("are escaped", () => {
    expect(likeText("a%b_c\\d")).toBe("a\\%b\\_c\\\\d");
  });

  it("do not widen a scope", async () => {
    expect(await hostnames({}, "site:us_ny/*")).toEqual([]);
    expect(await hostnames({}, "site:us/ny/*")).toEqual(["ny-w-1"]);
    expect((await as("site:us_ny/*").clusters.list({})).rows).toEqual([]);
  });

  it("match themselves in searches, site filters and selectors", async () => {
    expect(await hostnames({ q: "%" })).toEqual([]);
    expect(await hostnames({ q: "_" })).toEqual(["dk_w_1"]);
    expect(await hostnames({ selector: "site in (u_/*)" })).toEqual([]);
    expect(await hostnames({ selector: "site in (us/*)" })).toEqual(["ny-w-1"]);
    expect(await hostnames({ site: "u_/*" })).toEqual([]);
    expect((await as().clusters.list({ q: "%" })).rows).toEqual([]);
    expect((await as().clusters.list({ q: "_" })).rows.map((c: { name: string }) => c.name)).toEqual([
      "dk_hq",
    ]);
    expect((await as().events.list({ machine: "%" })).events).toEqual([]);
    expect(await as("", "admin").audit.list({ actor: "%" })).toEqual([]);
    expect((await as("", "admin").audit.list({ actor: "ali" })).map((e) => e.actor)).toEqual(["alice"]);
  });
});
