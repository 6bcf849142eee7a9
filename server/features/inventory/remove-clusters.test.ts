// Removing a cluster: gone from lists, counts, pickers, discovery, collection and rollout plans, its
// history kept; refused while an unfinished rollout plans its machines; audited. A credential's removal
// takes the clusters only it reached along when asked to.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { TRPCError } from "@trpc/server";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderTalosconfig } from "@/sim";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Role } from "../../model/permissions";
import { setInstanceSecretKey } from "../../platform/secrets/instance-key";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { seedInventory } from "../../testing/seed-inventory";
import { createCa, talosContext } from "../../testing/talosconfig-contexts";
import { LeaseManager } from "../collector/leases";
import { discoveryPass } from "./discovery-loop";
import { removeClustersIn } from "./remove-clusters";

let database: TestDatabase;
let ids: Map<string, string>;
const logLines: string[] = [];
const log = pino(
  { level: "warn" },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);

const as = (role: Role) =>
  createCaller(createContextInner({ db: database.db, log, principal: principalWith(`user-${role}`, role) }));

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (err) => (err instanceof TRPCError ? err.code : String(err)),
  );

beforeAll(async () => {
  database = await createTestDatabase();
  setInstanceSecretKey(await loadSecretKey({ dataDir: await mkdtemp(path.join(os.tmpdir(), "minos-rm-")) }));
  ids = await seedInventory(database.db, [
    { name: "store-1", site: "eu/dk/store-1", machines: [{ hostname: "s1-cp" }, { hostname: "s1-w" }] },
    { name: "store-2", site: "eu/dk/store-2", machines: [{ hostname: "s2-cp" }, { hostname: "s2-w" }] },
  ]);
});
afterAll(() => database.drop());

async function rolloutOver(machineId: string, status: "running" | "completed") {
  const user = crypto.randomUUID();
  return database.db.rollout.create({
    data: {
      name: `upgrade ${status}`,
      targetVersion: "v1.12.0",
      installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
      wavePlan: {},
      safety: {},
      status,
      createdById: user,
      createdBy: "planner",
      lastChangedById: user,
      lastChangedBy: "planner",
      waves: { create: [{ index: 0, name: "Wave 1" }] },
      machines: { create: [{ machineId, waveIndex: 0, position: 0 }] },
    },
  });
}

describe("removing a cluster", () => {
  it("is refused while an unfinished rollout plans its machines, saying which, and changes nothing", async () => {
    const running = await rolloutOver(ids.get("store-2/s2-w") as string, "running");
    const err = await as("admin")
      .clusters.remove({ name: "store-2" })
      .catch((e: TRPCError) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("CONFLICT");
    expect((err as TRPCError).message).toMatch(/store-2.*unfinished rollout .*upgrade running.* \(running\)/);
    expect(await database.db.cluster.findUnique({ where: { name: "store-2" } })).toMatchObject({
      removedAt: null,
    });
    expect(await database.db.machine.count({ where: { removedAt: { not: null } } })).toBe(0);
    await database.db.rollout.update({ where: { id: running.id }, data: { status: "aborted" } });
  });

  it("is for administrators only", async () => {
    expect(await codeOf(as("operator").clusters.remove({ name: "store-2" }))).toBe("FORBIDDEN");
  });

  it("takes it and its machines out of lists, counts, pickers and plans; its history stays; audited", async () => {
    const admin = as("admin");
    const before = await admin.fleet.summary();
    await rolloutOver(ids.get("store-2/s2-cp") as string, "completed");
    expect(await admin.clusters.remove({ name: "store-2" })).toEqual({ clusters: ["store-2"], machines: 2 });

    expect((await admin.clusters.list({})).rows.map((c) => c.name)).toEqual(["store-1"]);
    expect(await codeOf(admin.clusters.byName({ name: "store-2" }))).toBe("NOT_FOUND");
    const machines = await admin.machines.list({});
    expect(machines.rows.map((m) => m.hostname).sort()).toEqual(["s1-cp", "s1-w"]);
    const after = await admin.fleet.summary();
    expect(after).toMatchObject({ clusters: before.clusters - 1, machines: before.machines - 2 });
    const overview = await admin.fleet.overview();
    expect(JSON.stringify(overview)).not.toContain("store-2");

    // A rollout cannot plan its machines, by cluster or by selector.
    const spec = {
      name: "again",
      installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
      wavePlan: {},
      safety: {},
    };
    expect((await admin.rollouts.preview({ ...spec, scope: { clusters: ["store-2"] } })).inScope).toBe(0);
    expect((await admin.rollouts.preview({ ...spec, scope: { selector: "" } })).inScope).toBe(2);
    // A lock cannot be put on it either.
    expect(
      await codeOf(admin.rollouts.locks.lock({ target: { kind: "cluster", name: "store-2" }, reason: "x" })),
    ).toBe("NOT_FOUND");

    // Removing it again: there is no such cluster any more.
    expect(await codeOf(admin.clusters.remove({ name: "store-2" }))).toBe("NOT_FOUND");

    // History: the rows stay, each machine's membership says it left with its cluster.
    const left = await database.db.machineStateChange.findMany({
      where: { machine: { cluster: { name: "store-2" } }, field: "membership" },
      select: { toValue: true, reason: true },
    });
    expect(left).toEqual([
      { toValue: "left", reason: "its cluster was removed from Minos" },
      { toValue: "left", reason: "its cluster was removed from Minos" },
    ]);
    expect(await database.db.rolloutMachine.count({ where: { machineId: ids.get("store-2/s2-cp") } })).toBe(
      1,
    );
    const machine = await admin.machines.byId({ id: ids.get("store-2/s2-cp") as string });
    expect(machine.removedAt).not.toBeNull();

    const audit = await database.db.auditEntry.findFirst({
      where: { action: "clusters.remove", result: "ok" },
      select: { actor: true, target: true, details: true },
    });
    expect(audit).toMatchObject({ actor: "user-admin", target: "cluster:store-2", details: { machines: 2 } });
  });

  it("a rollout being saved while the cluster is removed is refused, not left holding its machines", async () => {
    await seedInventory(database.db, [
      { name: "store-4", site: "eu/dk/store-4", machines: [{ hostname: "s4-cp" }, { hostname: "s4-w" }] },
    ]);
    const store4 = await database.db.cluster.findUniqueOrThrow({ where: { name: "store-4" } });
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let removing = () => {};
    const removed = new Promise<void>((r) => {
      removing = r;
    });
    // The removal holds its locks (not committed) while the rollout is planned and saved.
    const removal = database.db.$transaction(async (tx) => {
      await removeClustersIn(tx, [store4.id]);
      removing();
      await held;
    });
    await removed;
    const saving = codeOf(
      as("admin").rollouts.create({
        name: "racing",
        installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
        scope: { clusters: ["store-4"] },
        wavePlan: {},
        safety: {},
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    release();
    await removal;
    expect(await saving).toBe("CONFLICT");
    expect(await database.db.rollout.count({ where: { name: "racing" } })).toBe(0);
  });

  it("stops discovery and collection of it: no pass asks it, no warning, no lease", async () => {
    logLines.length = 0;
    const pass = await discoveryPass(database.db, log);
    // store-1 has no credential: discovery fails for it and says so; store-2 is not asked at all.
    expect(pass).toEqual({ clusters: 1, failed: 1 });
    expect(logLines.join("")).toContain("store-1");
    expect(logLines.join("")).not.toContain("store-2");
    expect(await database.db.cluster.findUnique({ where: { name: "store-2" } })).toMatchObject({
      discoveryError: null,
    });

    const leases = new LeaseManager(database.url, crypto.randomUUID(), 30_000);
    try {
      const round = await leases.round();
      const store1 = await database.db.cluster.findUniqueOrThrow({ where: { name: "store-1" } });
      expect(round.held).toEqual([store1.id]);
      await leases.releaseAll();
    } finally {
      await leases.close();
    }
  });
});

describe("removing a credential with its clusters", () => {
  it("lists the clusters only it reaches, and removes them with it when asked, in one audited action", async () => {
    const admin = as("admin");
    const [caA, caB] = await Promise.all([createCa(), createCa()]);
    const [lone, pairA, pairB] = await Promise.all([
      talosContext(caA, "lone", { role: "os:admin" }),
      talosContext(caB, "pair-admin", { role: "os:admin" }),
      talosContext(caB, "pair-reader", { role: "os:reader" }),
    ]);
    await admin.credentials.import({ talosconfig: renderTalosconfig([lone, pairA, pairB]) });
    const cred = async (name: string) =>
      (await database.db.talosCredential.findUniqueOrThrow({ where: { name } })).id;
    await database.db.cluster.update({
      where: { name: "store-1" },
      data: { credentialId: await cred("lone") },
    });
    await seedInventory(database.db, [{ name: "store-3", machines: [{ hostname: "s3-cp" }] }]);
    await database.db.cluster.update({
      where: { name: "store-3" },
      data: { credentialId: await cred("pair-admin") },
    });

    const facts = await admin.credentials.list();
    const byName = Object.fromEntries(facts.map((c) => [c.name, c]));
    expect(byName.lone).toMatchObject({ clusters: ["store-1"], soleClusters: ["store-1"] });
    // Another credential of the same CA still reaches store-3: removing one of them strands nothing.
    expect(byName["pair-admin"]).toMatchObject({ clusters: ["store-3"], soleClusters: [] });

    // Asked to, but another credential of its CA is left: the cluster stays, unlinked.
    expect(await admin.credentials.remove({ name: "pair-admin", removeClusters: true })).toEqual({
      unlinkedClusters: ["store-3"],
      removedClusters: [],
    });
    expect(await admin.credentials.remove({ name: "lone", removeClusters: true })).toEqual({
      unlinkedClusters: [],
      removedClusters: ["store-1"],
    });
    expect((await admin.clusters.list({})).rows.map((c) => c.name)).toEqual(["store-3"]);
    expect(
      await database.db.machine.count({ where: { cluster: { name: "store-1" }, removedAt: null } }),
    ).toBe(0);
    const audit = await database.db.auditEntry.findFirst({
      where: { action: "credentials.remove", target: "credential:lone" },
      select: { result: true, details: true },
    });
    expect(audit).toMatchObject({ result: "ok", details: { removedClusters: ["store-1"] } });

    // Off by default: the only credential of store-3 goes, the cluster stays.
    await admin.credentials.import({
      talosconfig: renderTalosconfig([await talosContext(await createCa(), "only")]),
    });
    await database.db.cluster.update({
      where: { name: "store-3" },
      data: { credentialId: await cred("only") },
    });
    expect(await admin.credentials.remove({ name: "only" })).toEqual({
      unlinkedClusters: ["store-3"],
      removedClusters: [],
    });
    expect((await admin.clusters.list({})).rows.map((c) => c.name)).toEqual(["store-3"]);
  });
});
