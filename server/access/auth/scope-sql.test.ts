import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../platform/db/generated/client";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { seedViewsFleet } from "../../testing/views-fleet";
import { clusterScopeWhere, machineScopeWhere } from "./scope-filter";
import { clusterScopeSql, machineScopeSql } from "./scope-sql";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedViewsFleet(database.db);
});
afterAll(() => database.drop());

const SCOPES: string[][] = [
  [""],
  [],
  ["site:eu/dk/*"],
  ["site:eu/dk"],
  ["site:eu/se/malmo-0007"],
  ["labels:group=nordics"],
  ["labels:group=nordics,tier=flagship"],
  ["site:eu/se/lund-0001", "labels:tier=flagship"],
  ["site:eu/*", "site:us/*"],
];

describe("scope filters in SQL", () => {
  it.each(SCOPES.map((s) => [JSON.stringify(s), s] as const))(
    "select the same machines and clusters as the query filters for %s",
    async (_, scopes) => {
      const db = database.db;
      const viaPrisma = (
        await db.machine.findMany({ where: machineScopeWhere(scopes), select: { id: true } })
      )
        .map((m) => m.id)
        .sort();
      const viaSql = (
        await db.$queryRaw<Array<{ id: string }>>(
          Prisma.sql`SELECT machine.id::text AS id FROM machine WHERE ${machineScopeSql(scopes)}`,
        )
      )
        .map((m) => m.id)
        .sort();
      expect(viaSql).toEqual(viaPrisma);
      const clustersPrisma = (
        await db.cluster.findMany({ where: clusterScopeWhere(scopes), select: { name: true } })
      )
        .map((c) => c.name)
        .sort();
      const clustersSql = (
        await db.$queryRaw<Array<{ name: string }>>(
          Prisma.sql`SELECT cluster.name FROM cluster WHERE ${clusterScopeSql(scopes)}`,
        )
      )
        .map((c) => c.name)
        .sort();
      expect(clustersSql).toEqual(clustersPrisma);
    },
  );

  it("keeps scope values out of the statement text (they are parameters)", () => {
    const sql = machineScopeSql(["site:eu/dk'; DROP TABLE machine; --/*", "labels:a=b'"]);
    expect(sql.text).not.toContain("DROP TABLE");
    expect(sql.values).toContain("eu/dk'; DROP TABLE machine; --/");
  });
});
