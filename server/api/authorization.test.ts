// Deny by default, checked over the whole app router: every procedure declares a permission, and
// every role is allowed exactly what its permissions say — in and out of scope.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Permission, permissions, type Role, roleHas, roles } from "../model/permissions";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { principalWith } from "../testing/principals";
import { appRouter, createCaller } from "./app-router";
import { createContextInner } from "./trpc/context";
import type { ProcedureMeta } from "./trpc/init";

type AnyProcedure = { _def: { meta?: ProcedureMeta; type: "query" | "mutation" | "subscription" } };
// tRPC keeps every procedure of the router under its dotted path.
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

/** Calls a procedure by its dotted path with no input and returns the error code, or "OK". */
async function outcome(role: Role | null, path: string): Promise<string> {
  const principal = role ? principalWith(`user-${role}`, role) : null;
  const caller = createCaller(createContextInner({ db: database.db, principal }));
  // Routers nest (rollouts.locks.lock): follow every segment of the path.
  const call = path
    .split(".")
    .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], caller) as (
    input?: unknown,
  ) => Promise<unknown>;
  try {
    await call(undefined);
    return "OK";
  } catch (err) {
    return err instanceof TRPCError ? err.code : "THREW";
  }
}

describe("authorisation", () => {
  it("every procedure of the app router declares a known permission", () => {
    expect(procedures.length).toBeGreaterThan(5);
    const undeclared = procedures
      .filter(([, p]) => {
        const perm = p._def.meta?.permission;
        return perm !== "public" && !permissions.includes(perm as Permission);
      })
      .map(([path]) => path);
    expect(undeclared, "procedures without a declared permission").toEqual([]);
  });

  it("every role is refused exactly the procedures its permissions do not cover", async () => {
    const mismatches: string[] = [];
    for (const [path, p] of procedures) {
      const perm = p._def.meta?.permission;
      if (perm === "public" || perm === undefined) continue;
      const anonymous = await outcome(null, path);
      if (anonymous !== "UNAUTHORIZED") mismatches.push(`${path} without sign-in: ${anonymous}`);
      for (const role of roles) {
        const got = await outcome(role, path);
        const allowed = roleHas(role, perm);
        const refused = got === "FORBIDDEN" || got === "UNAUTHORIZED";
        if (allowed === refused)
          mismatches.push(`${path} as ${role}: ${got} (${allowed ? "should pass" : "should be refused"})`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("a viewer scoped to a site counts nothing outside it, by site prefix and by cluster label", async () => {
    const { db } = database;
    const dk = await db.cluster.create({
      data: { name: "dk-aarhus-0042", site: "eu/dk/aarhus-0042", endpoints: [] },
    });
    const dkRegion = await db.cluster.create({ data: { name: "dk-hq", site: "eu/dk", endpoints: [] } });
    const se = await db.cluster.create({
      data: { name: "se-malmo-0007", site: "eu/se/malmo-0007", endpoints: [], labels: { group: "nordics" } },
    });
    const dkSuffix = await db.cluster.create({ data: { name: "dkx", site: "eu/dkx/odd", endpoints: [] } });
    await db.machine.createMany({
      data: [
        { clusterId: dk.id, hostname: "dk-cp", address: "127.2.0.1", role: "controlplane" },
        { clusterId: dk.id, hostname: "dk-w", address: "127.2.0.2", role: "worker" },
        { clusterId: dkRegion.id, hostname: "hq-cp", address: "127.2.1.1", role: "controlplane" },
        { clusterId: se.id, hostname: "se-cp", address: "127.3.0.1", role: "controlplane" },
        // A Swedish cluster's machine placed in Denmark by override is a Danish machine.
        {
          clusterId: se.id,
          hostname: "se-w-in-dk",
          address: "127.3.0.2",
          role: "worker",
          site: "eu/dk/odense-0001",
        },
        { clusterId: dkSuffix.id, hostname: "dkx-w", address: "127.4.0.1", role: "worker" },
      ],
    });
    const summaryAs = (scope: string) =>
      createCaller(
        createContextInner({ db, principal: principalWith("scoped", { role: "viewer", scope }) }),
      ).fleet.summary();

    expect(await summaryAs("site:eu/dk/*")).toEqual({
      clusters: 2,
      machines: 4,
      controlPlanes: 2,
      workers: 2,
      sites: 2,
    });
    expect(await summaryAs("site:eu/dk/aarhus-0042")).toEqual({
      clusters: 1,
      machines: 2,
      controlPlanes: 1,
      workers: 1,
      sites: 1,
    });
    expect(await summaryAs("cluster:group=nordics")).toEqual({
      clusters: 1,
      machines: 2,
      controlPlanes: 1,
      workers: 1,
      sites: 1,
    });
    expect(await summaryAs("site:us/*")).toEqual({
      clusters: 0,
      machines: 0,
      controlPlanes: 0,
      workers: 0,
      sites: 0,
    });
    expect(await summaryAs("")).toEqual({ clusters: 4, machines: 6, controlPlanes: 3, workers: 3, sites: 4 });
  });
});
