// Scope over the whole app router: every procedure that takes a target (an id, a name, a site) answers
// NOT_FOUND for one outside the caller's scope, mutations included, exactly as for something that does
// not exist, and does not change it; the same call on the twin inside the scope is not refused. Every
// procedure of the router is either listed here with its targets or named as taking none (with why):
// a new procedure that is in neither list fails this test until someone decides which it is.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../model/permissions";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { principalWith } from "../testing/principals";
import { appRouter, createCaller } from "./app-router";
import { createContextInner } from "./trpc/context";

const procedures = Object.keys(appRouter._def.procedures as Record<string, unknown>);

/** Everything of one side (inside or outside the caller's scope) a target can be. */
interface Side {
  site: string;
  cluster: string;
  machineId: string;
  otherMachineId: string;
  rolloutId: string;
  windowId: string;
  tokenId: string;
}

/** A procedure that takes a target: the role that may call it, and its input for a target on one side. */
interface Targeted {
  role: Role;
  input: (s: Side) => unknown;
  /** The answer outside the scope when it is not NOT_FOUND, and why. */
  outside?: { code: string; why: string };
}

const SPEC = {
  name: "changed",
  installerImage: "ghcr.io/siderolabs/installer:v1.14.0",
  scope: { selector: "" },
  wavePlan: {},
  safety: {},
};
const WINDOW = { timeZone: "UTC", days: ["sat"], start: "02:00", durationMinutes: 120 };

const targeted: Record<string, Targeted> = {
  "clusters.byName": { role: "viewer", input: (s) => ({ name: s.cluster }) },
  "clusters.update": { role: "operator", input: (s) => ({ name: s.cluster, labels: { tier: "x" } }) },
  "machines.byId": { role: "viewer", input: (s) => ({ id: s.machineId }) },
  "machines.update": { role: "operator", input: (s) => ({ id: s.machineId, labels: { tier: "x" } }) },
  "machines.bulkUpdate": {
    role: "operator",
    input: (s) => ({ ids: [s.machineId, s.otherMachineId], setLabels: { tier: "x" } }),
  },
  "rollouts.byId": { role: "viewer", input: (s) => ({ id: s.rolloutId }) },
  "rollouts.briefing": { role: "viewer", input: (s) => ({ id: s.rolloutId, waveIndex: 0 }) },
  "rollouts.disruptionRisks": { role: "viewer", input: (s) => ({ id: s.rolloutId, waveIndex: 0 }) },
  "rollouts.change": { role: "operator", input: (s) => ({ id: s.rolloutId, spec: SPEC }) },
  "rollouts.decide": {
    role: "approver",
    input: (s) => ({ rolloutId: s.rolloutId, waveIndex: 0, revision: 1, approve: false }),
  },
  "rollouts.control": { role: "operator", input: (s) => ({ id: s.rolloutId, control: "pause" }) },
  "rollouts.machine": {
    role: "operator",
    input: (s) => ({ id: s.rolloutId, machineId: s.machineId, control: "skip" }),
  },
  "rollouts.archive": { role: "operator", input: (s) => ({ id: s.rolloutId }) },
  "rollouts.unarchive": { role: "operator", input: (s) => ({ id: s.rolloutId }) },
  "rollouts.locks.lock": {
    role: "operator",
    input: (s) => ({ target: { kind: "machine", id: s.otherMachineId }, reason: "matrix" }),
  },
  "rollouts.locks.unlock": {
    role: "operator",
    input: (s) => ({ target: { kind: "cluster", name: s.cluster } }),
  },
  "rollouts.maintenanceWindows.add": {
    role: "operator",
    input: (s) => ({ site: s.site, ...WINDOW }),
    outside: {
      code: "FORBIDDEN",
      why: "the site is the caller's own words, not something found: it is refused, saying why",
    },
  },
  "rollouts.maintenanceWindows.update": {
    role: "operator",
    input: (s) => ({ id: s.windowId, window: { site: s.site, ...WINDOW, start: "03:00" } }),
  },
  "rollouts.maintenanceWindows.remove": { role: "operator", input: (s) => ({ id: s.windowId }) },
  "events.list": { role: "viewer", input: (s) => ({ machineId: s.machineId }) },
  "events.follow": { role: "viewer", input: (s) => ({ machineId: s.machineId }) },
  "drift.machine": { role: "viewer", input: (s) => ({ id: s.machineId }) },
  "drift.acknowledge": {
    role: "operator",
    input: (s) => ({
      machineId: s.machineId,
      field: "config.machine.install.disk",
      reason: "matrix",
      expiresAt: new Date(Date.now() + 7 * 86_400_000),
    }),
  },
  "drift.unacknowledge": {
    role: "operator",
    input: (s) => ({ machineId: s.machineId, field: "config.machine.install.disk" }),
  },
  "logs.sources": { role: "operator", input: (s) => ({ machineIds: [s.machineId] }) },
  "logs.follow": { role: "operator", input: (s) => ({ machineIds: [s.machineId], source: "kubelet" }) },
  // Another user's token: not the caller's to revoke (not even to know of).
  "tokens.revoke": { role: "viewer", input: (s) => ({ id: s.tokenId }) },
};

/** Procedures that take no target a scope could exclude, and why. */
const untargeted: Record<string, string> = {
  "auth.login": "signing in: no principal yet",
  "auth.logout": "the caller's own session",
  "auth.me": "the caller's own account",
  "auth.changePassword": "the caller's own account",
  "tokens.list": "the caller's own tokens (everyone's only for admins, who are fleet-wide)",
  "tokens.create": "a token for the caller, its grant at most the caller's own (tokens tests)",
  "fleet.summary": "counts within the caller's scope (authorization.test.ts)",
  "fleet.overview": "counts within the caller's scope (scope-sql tests)",
  "fleet.history": "history within the caller's scope",
  "fleet.changes": "names changed tables, never rows",
  "clusters.list": "lists only what is in scope",
  "rollouts.summary": "counts only what is in scope",
  "machines.list": "lists only what is in scope",
  "machines.matchingIds": "lists only what is in scope",
  "rollouts.list": "lists rollouts touching the caller's scope",
  "rollouts.pendingApprovals": "lists waves the caller may decide",
  "rollouts.preview": "plans only machines within the caller's scope",
  "rollouts.create": "plans only machines within the caller's scope",
  "rollouts.maintenanceWindows.list": "lists windows touching the caller's sites",
  "drift.overview": "drift within the caller's scope",
  "drift.baselines": "lists fleet-wide baselines and those applying to the caller's machines",
  "drift.exportBaselines": "exports fleet-wide baselines and those applying to the caller's machines",
  "users.list": "admin.manage: administrators are fleet-wide",
  "users.create": "admin.manage: administrators are fleet-wide",
  "users.setGrants": "admin.manage: administrators are fleet-wide",
  "users.resetPassword": "admin.manage: administrators are fleet-wide",
  "users.setDisabled": "admin.manage: administrators are fleet-wide",
  "users.delete": "admin.manage: administrators are fleet-wide",
  "clusters.remove": "admin.manage: administrators are fleet-wide",
  "inventory.import": "admin.manage: administrators are fleet-wide",
  "inventory.status": "the collector's progress over what is in scope",
  "audit.list": "audit.read: administrators are fleet-wide",
  "audit.verify": "audit.read: administrators are fleet-wide",
  "credentials.list": "admin.manage: administrators are fleet-wide",
  "credentials.import": "admin.manage: administrators are fleet-wide",
  "credentials.replace": "admin.manage: administrators are fleet-wide",
  "credentials.remove": "admin.manage: administrators are fleet-wide",
  "kubeReaders.list": "admin.manage: administrators are fleet-wide",
  "kubeReaders.import": "admin.manage: administrators are fleet-wide",
  "kubeReaders.remove": "admin.manage: administrators are fleet-wide",
  "drift.previewBaseline": "admin.manage: administrators are fleet-wide",
  "drift.saveBaseline": "admin.manage: administrators are fleet-wide",
  "drift.deleteBaseline": "admin.manage: administrators are fleet-wide",
  "drift.importBaselines": "admin.manage: administrators are fleet-wide",
};

let database: TestDatabase;
const sides: Record<"inside" | "outside", Side> = {} as Record<"inside" | "outside", Side>;
const SCOPE = "site:eu/*";
/** The user every call is made as (with a role and the scope above): the inside token is theirs. */
let callerId: string;

async function makeSide(name: string, site: string, tokenOwner: "planner" | "caller"): Promise<Side> {
  const { db } = database;
  const cluster = await db.cluster.create({ data: { name: `${name}-cluster`, site, endpoints: [] } });
  const [machine, other] = await Promise.all(
    [1, 2].map((i) =>
      db.machine.create({
        data: {
          clusterId: cluster.id,
          hostname: `${name}-w-${i}`,
          address: `127.9.${name === "in" ? 1 : 2}.${i}`,
          role: "worker",
          talosVersion: "v1.13.0",
        },
      }),
    ),
  );
  if (!machine || !other) throw new Error("machines not created");
  const planner = await db.user.create({ data: { username: `${name}-planner` } });
  const rollout = await db.rollout.create({
    data: {
      name: `${name} rollout`,
      targetVersion: "v1.14.0",
      installerImage: "ghcr.io/siderolabs/installer:v1.14.0",
      wavePlan: {},
      safety: {},
      createdById: planner.id,
      createdBy: planner.username,
      lastChangedById: planner.id,
      lastChangedBy: planner.username,
      waves: { create: [{ index: 0, name: "Wave 1" }] },
      machines: { create: [{ machineId: machine.id, waveIndex: 0, position: 0 }] },
    },
  });
  const window = await db.maintenanceWindow.create({
    data: {
      site,
      timeZone: "UTC",
      days: ["sun"],
      start: "01:00",
      durationMinutes: 60,
      createdBy: "x",
      updatedBy: "x",
    },
  });
  await db.rolloutLock.create({ data: { clusterId: cluster.id, reason: "held", createdBy: "x" } });
  await db.driftItem.create({
    data: {
      machineId: machine.id,
      field: "config.machine.install.disk",
      kind: "config",
      declared: "/dev/sda",
      actual: "/dev/sdb",
      state: "drifted",
      baselineId: crypto.randomUUID(),
      baselineName: "fleet",
      since: new Date(),
    },
  });
  await db.driftAcknowledgement.create({
    data: {
      machineId: machine.id,
      field: "config.machine.install.disk",
      reason: "known",
      expiresAt: new Date(Date.now() + 86_400_000),
      createdBy: "x",
    },
  });
  const token = await db.apiToken.create({
    data: {
      name: `${name}-token`,
      prefix: name,
      tokenHash: `${name}-hash`,
      ownerId: tokenOwner === "caller" ? callerId : planner.id,
      createdBy: planner.username,
      role: "viewer",
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  return {
    site: site.replace(/\/[^/]+$/, "/*"),
    cluster: cluster.name,
    machineId: machine.id,
    otherMachineId: other.id,
    rolloutId: rollout.id,
    windowId: window.id,
    tokenId: token.id,
  };
}

/** The error code of one call (a subscription's first item counts), or "OK". */
async function outcome(path: string, role: Role, input: unknown): Promise<string> {
  const principal = { ...principalWith("matrix", { role, scope: SCOPE }), userId: callerId };
  const caller = createCaller(createContextInner({ db: database.db, principal }));
  const call = path
    .split(".")
    .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], caller) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    const result = await call(input);
    if (result && typeof result === "object" && Symbol.asyncIterator in result) {
      const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const first = it.next();
      const quiet = new Promise((r) => setTimeout(r, 1_500, "quiet"));
      await Promise.race([first, quiet]);
      // Not awaited: a generator waiting for its next item finishes its return only then.
      void it.return?.().catch(() => {});
    }
    return "OK";
  } catch (err) {
    return err instanceof TRPCError ? err.code : `THREW ${(err as Error).message}`;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  callerId = (await database.db.user.create({ data: { username: "matrix" } })).id;
  sides.inside = await makeSide("in", "eu/dk/in-1", "caller");
  sides.outside = await makeSide("out", "us/ny/out-1", "planner");
});
afterAll(() => database.drop());

describe("scope over every procedure", () => {
  it("every procedure is listed as taking a target or as taking none", () => {
    const unlisted = procedures.filter((p) => !(p in targeted) && !(p in untargeted));
    expect(unlisted, "procedures neither targeted nor declared untargeted").toEqual([]);
    const stale = [...Object.keys(targeted), ...Object.keys(untargeted)].filter(
      (p) => !procedures.includes(p),
    );
    expect(stale, "listed procedures that do not exist").toEqual([]);
  });

  it("a target outside the caller's scope is not found, for reads and mutations alike, and stays as it was", async () => {
    const { db } = database;
    const before = JSON.stringify(await snapshot(sides.outside));
    const wrong: string[] = [];
    for (const [path, t] of Object.entries(targeted)) {
      const got = await outcome(path, t.role, t.input(sides.outside));
      if (got !== (t.outside?.code ?? "NOT_FOUND")) wrong.push(`${path}: ${got}`);
    }
    expect(wrong).toEqual([]);
    expect(JSON.stringify(await snapshot(sides.outside))).toBe(before);
    expect(await db.rolloutLock.count({ where: { machineId: sides.outside.otherMachineId } })).toBe(0);
  });

  it("the same target inside the caller's scope is not refused as out of scope", async () => {
    const refused: string[] = [];
    for (const [path, t] of Object.entries(targeted)) {
      const got = await outcome(path, t.role, t.input(sides.inside));
      if (got === "NOT_FOUND" || got === "FORBIDDEN" || got.startsWith("THREW"))
        refused.push(`${path}: ${got}`);
    }
    expect(refused).toEqual([]);
  });
});

/** What the outside side's rows look like: none of the calls may change them. */
async function snapshot(s: Side) {
  const { db } = database;
  return Promise.all([
    db.cluster.findUnique({ where: { name: s.cluster }, select: { labels: true, site: true } }),
    db.machine.findMany({
      where: { id: { in: [s.machineId, s.otherMachineId] } },
      select: { labels: true, site: true },
    }),
    db.rollout.findUnique({
      where: { id: s.rolloutId },
      select: {
        name: true,
        status: true,
        revision: true,
        archivedAt: true,
        machines: { select: { phase: true } },
      },
    }),
    db.maintenanceWindow.findUnique({ where: { id: s.windowId }, select: { start: true } }),
    db.rolloutLock.count({ where: { cluster: { name: s.cluster } } }),
    db.driftAcknowledgement.count({ where: { machineId: s.machineId } }),
    db.apiToken.findUnique({ where: { id: s.tokenId }, select: { revokedAt: true } }),
  ]);
}
