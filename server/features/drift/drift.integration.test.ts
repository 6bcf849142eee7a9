// Drift end to end: the collector reads the simulator over mTLS into a real Postgres, drift injected through
// the simulator's control API appears and clears, baselines apply by precedence, outliers show without any
// baseline, and no secret of a machine configuration reaches the database or an API response.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/sim";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { parseTalosconfig, selectContext, TalosClient } from "../../talos";
import { clearFaults, eventually, injectFault, seedFleet } from "../../testing/collector-fleet";
import { secretsOfConfig } from "../../testing/config-secrets";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { type Collector, startCollector } from "../collector/collector";

let database: TestDatabase;
let sim: RunningSimulator;
let readerSim: RunningSimulator;
let dirs: string[] = [];
let collector: Collector;
const log = pino({ level: process.env.TEST_LOG ?? "silent" });
const secrets: string[] = [];

const admin = () =>
  createCaller(createContextInner({ db: database.db, principal: principalWith("ada", "admin") }));
const viewer = () =>
  createCaller(createContextInner({ db: database.db, principal: principalWith("vic", "viewer") }));
const machineId = async (hostname: string) =>
  (await database.db.machine.findFirstOrThrow({ where: { hostname }, select: { id: true } })).id;
const items = async (hostname: string) =>
  database.db.driftItem.findMany({ where: { machine: { hostname } }, orderBy: { field: "asc" } });

beforeAll(async () => {
  database = await createTestDatabase();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-drift-"));
  const readerDir = await mkdtemp(path.join(os.tmpdir(), "minos-drift-reader-"));
  dirs = [stateDir, readerDir];
  const secretKey = await loadSecretKey({ dataDir: stateDir });
  sim = await startSimulator({
    clusters: 1,
    nodesPerCluster: 8,
    port: 0,
    stateDir,
    timeScale: 50,
    seed: "drift-a",
  });
  // a second fleet (its own CA) whose only credential is os:reader: its configuration cannot be read
  readerSim = await startSimulator({
    clusters: 1,
    nodesPerCluster: 2,
    port: 0,
    stateDir: readerDir,
    timeScale: 50,
    seed: "drift-reader",
    role: "os:reader",
  });
  await seedFleet(database.db, sim, secretKey);
  await seedFleet(database.db, readerSim, secretKey);
  await database.db.cluster.update({ where: { name: "dev-sfo-1" }, data: { site: "eu/dk/aarhus-0042" } });
  // the secret values the simulator put into every configuration, read as an admin would
  const talos = new TalosClient(selectContext(parseTalosconfig(sim.talosconfig), "dev-sfo-1"));
  for (const n of sim.clusters[0]?.nodes ?? []) {
    const s = secretsOfConfig(await talos.machineConfig({ node: n.address }));
    secrets.push(...s.values, ...s.pems);
  }
  collector = startCollector({
    db: database.db,
    log,
    secretKey,
    leaseMs: 3_000,
    reconcileMs: 300,
    flushMs: 100,
    timeoutMs: 4_000,
    maxBackoffMs: 1_000,
    machinesRefreshMs: 1_000,
    events: false,
  });
  await eventually(
    async () => (await database.db.machineDriftState.count()) === 10,
    30_000,
    "drift readings of all 10 machines",
  );
});

afterAll(async () => {
  await collector?.stop();
  await sim?.stop();
  await readerSim?.stop();
  await database?.drop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("drift against the simulator", { timeout: 90_000 }, () => {
  it("shows outliers with no baseline at all", async () => {
    await injectFault(sim, "dev-sfo-1-w-1", { kind: "kernel-args", add: ["mitigations=off"] });
    await injectFault(sim, "dev-sfo-1-w-1", { kind: "extensions", add: ["tailscale"] });
    const group = await eventually(
      async () =>
        (await viewer().drift.overview()).outliers.find((g) => g.hostnames.includes("dev-sfo-1-w-1")),
      30_000,
      "an outlier group with dev-sfo-1-w-1",
    );
    // shown once, at the widest scope where it stands out, naming the narrower ones
    expect(group.summary).toBe(
      "1 of 6 workers in the fleet differ: extension tailscale; kernel arg mitigations=off",
    );
    expect(group.hostnames).toEqual(["dev-sfo-1-w-1"]);
    expect(group.alsoIn).toEqual(expect.arrayContaining(["cluster dev-sfo-1", "eu/dk", "eu/dk/aarhus-0042"]));
    const overview = await viewer().drift.overview();
    expect(overview.drifted).toBe(0); // nothing declared, nothing drifted
  });

  it("rejects a malformed baseline with field-level errors and saves nothing", async () => {
    const r = await admin().drift.saveBaseline({
      name: "broken",
      spec: {
        attach: { level: "site", site: "eu/dk" },
        talosVersion: "v9.1.0",
        configPatches: [
          { patch: "machine:\n  kubelet:\n    extraArgz: {}\n    image: [\n" },
          { patch: "machine:\n  kubelett: {}\n" },
        ],
      },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field)).toEqual([
      "talosVersion",
      "configPatches[0].patch",
      "configPatches[1].patch: v1alpha1:machine.kubelett",
    ]);
    expect(r.errors[2]?.message).toBe('machine has no field "kubelett" (did you mean "kubelet"?)');
    expect(await database.db.baseline.count()).toBe(0);
  });

  it("previews, saves, and shows drift items that appear and clear as the simulator changes", async () => {
    await injectFault(sim, "dev-sfo-1-w-2", {
      kind: "drift",
      path: "machine.features.kubePrism.port",
      value: 7446,
    });
    await eventually(
      async () => {
        const s = await database.db.machineDriftState.findFirst({
          where: { machine: { hostname: "dev-sfo-1-w-2" } },
        });
        return JSON.stringify(s?.config).includes("7446");
      },
      30_000,
      "the config drift read",
    );
    const input = {
      name: "eu-dk",
      spec: {
        attach: { level: "site", site: "eu/dk" },
        talosVersion: "v1.13.9",
        kernelArgs: ["-mitigations", "pti=on"],
        configPatches: [
          { role: "worker", patch: "machine:\n  features:\n    kubePrism:\n      port: 7445\n" },
        ],
      },
    };
    const preview = await admin().drift.previewBaseline(input);
    expect(preview).toMatchObject({
      ok: true,
      preview: { applies: 8, drifted: 2, clean: 6, unknown: 0, newlyDrifted: 2, newlyClean: 0 },
    });
    // It names the machines, those it would mark drifted first, with the fields.
    const named = preview.ok ? preview.preview.machines : [];
    expect(named).toHaveLength(8);
    expect(named.slice(0, 2).map((m) => [m.hostname, m.outcome, m.fields])).toEqual([
      ["dev-sfo-1-w-1", "drifted", ["kernelArg:mitigations"]],
      ["dev-sfo-1-w-2", "drifted", ["config:v1alpha1:machine.features.kubePrism.port"]],
    ]);
    expect(named.slice(2).every((m) => m.outcome === "clean")).toBe(true);
    await expect(viewer().drift.saveBaseline(input)).rejects.toThrow();
    const saved = await admin().drift.saveBaseline(input);
    expect(saved.ok).toBe(true);
    expect((await items("dev-sfo-1-w-1")).map((i) => [i.field, i.actual, i.baselineName])).toEqual([
      ["kernelArg:mitigations", "mitigations=off", "eu-dk"],
    ]);
    expect((await items("dev-sfo-1-w-2")).map((i) => [i.field, i.declared, i.actual])).toEqual([
      ["config:v1alpha1:machine.features.kubePrism.port", 7445, 7446],
    ]);
    expect(await items("dev-sfo-1-w-3")).toEqual([]);

    await clearFaults(sim, "dev-sfo-1-w-2", "drift");
    await eventually(
      async () => (await items("dev-sfo-1-w-2")).length === 0,
      30_000,
      "the config drift to clear",
    );
    const page = await viewer().drift.machine({ id: await machineId("dev-sfo-1-w-2") });
    expect(page.history.map((h) => [h.change, h.field])).toEqual([
      ["cleared", "config:v1alpha1:machine.features.kubePrism.port"],
      ["appeared", "config:v1alpha1:machine.features.kubePrism.port"],
    ]);
  });

  it("a more specific baseline wins per field and the machine page names both", async () => {
    const w1 = await machineId("dev-sfo-1-w-1");
    await admin().machines.update({ id: w1, labels: { canary: "true" } });
    const r = await admin().drift.saveBaseline({
      name: "canary",
      spec: { attach: { level: "selector", selector: "canary=true" }, kernelArgs: ["mitigations=off"] },
    });
    expect(r.ok).toBe(true);
    await eventually(
      async () => (await items("dev-sfo-1-w-1")).length === 0,
      30_000,
      "the canary to run as declared",
    );
    const page = await viewer().drift.machine({ id: w1 });
    const arg = page.expectations.find((e) => e.field === "kernelArg:mitigations");
    expect(arg).toMatchObject({
      declared: "mitigations=off",
      status: "holds",
      baseline: { name: "canary", level: "selector" },
    });
    expect(arg?.overridden.map((b) => b.name)).toEqual(["eu-dk"]);
    expect(page.expectations.find((e) => e.field === "talosVersion")?.baseline.name).toBe("eu-dk");
  });

  it("configuration without an admin credential is unknown, never clean", async () => {
    const r = await admin().drift.saveBaseline({
      name: "lab",
      spec: {
        attach: { level: "cluster", cluster: "lab-ams-1" },
        configPatches: [{ patch: "machine:\n  features:\n    rbac: true\n" }],
      },
    });
    expect(r.ok).toBe(true);
    const page = await viewer().drift.machine({ id: await machineId("lab-ams-1-w-1") });
    expect(page.configUnknownReason).toBe("unknown: needs admin credential");
    expect(page.configYaml).toBeNull();
    expect(page.expectations.map((e) => [e.field, e.status, e.reason])).toEqual([
      ["config:v1alpha1:machine.features.rbac", "unknown", "unknown: needs admin credential"],
    ]);
    const overview = await viewer().drift.overview();
    expect(overview.unknownOnly).toBe(2);
  });

  it("acknowledged drift stays visible and stops counting", async () => {
    await injectFault(sim, "dev-sfo-1-w-3", { kind: "kernel-args", add: ["mitigations=auto"] });
    await eventually(async () => (await items("dev-sfo-1-w-3")).length === 1, 30_000, "drift on w-3");
    const before = await viewer().drift.overview();
    const id = await machineId("dev-sfo-1-w-3");
    await expect(
      viewer().drift.acknowledge({
        machineId: id,
        field: "kernelArg:mitigations",
        reason: "testing",
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    ).rejects.toThrow();
    await admin().drift.acknowledge({
      machineId: id,
      field: "kernelArg:mitigations",
      reason: "vendor asked for it until the firmware fix",
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const after = await viewer().drift.overview();
    expect(after.drifted).toBe(before.drifted - 1);
    const page = await viewer().drift.machine({ id });
    expect(page.expectations.find((e) => e.field === "kernelArg:mitigations")).toMatchObject({
      status: "drifted",
      acknowledgement: { reason: "vendor asked for it until the firmware fix", createdBy: "ada" },
    });
    const audit = await database.db.auditEntry.findFirst({
      where: { action: "drift.acknowledge", result: "ok" },
    });
    expect(audit?.actor).toBe("ada");
  });

  it("compares the Image Factory schematic a machine runs with the declared one, by contents", async () => {
    // w-4 runs the declared schematic, w-5 one with an extra extension
    await injectFault(sim, "dev-sfo-1-w-4", {
      kind: "schematic",
      extensions: ["siderolabs/qemu-guest-agent"],
      kernelArgs: ["net.ifnames=0"],
    });
    await injectFault(sim, "dev-sfo-1-w-5", {
      kind: "schematic",
      extensions: ["siderolabs/qemu-guest-agent", "siderolabs/tailscale"],
    });
    for (const hostname of ["dev-sfo-1-w-4", "dev-sfo-1-w-5"]) {
      await admin().machines.update({ id: await machineId(hostname), labels: { image: "factory" } });
    }
    const readSchematic = (hostname: string) =>
      eventually(
        async () => {
          const s = await database.db.machineDriftState.findFirst({ where: { machine: { hostname } } });
          return s?.schematic ? s : undefined;
        },
        30_000,
        `the schematic of ${hostname} read`,
      );
    const w4 = await readSchematic("dev-sfo-1-w-4");
    await readSchematic("dev-sfo-1-w-5");
    expect(w4.schematic).toEqual({ extensions: ["qemu-guest-agent"], extraKernelArgs: ["net.ifnames=0"] });
    expect(w4.schematicId).toMatch(/^[0-9a-f]{64}$/);
    expect(w4.kernelArgs).toContain("net.ifnames=0");
    const saved = await admin().drift.saveBaseline({
      name: "factory",
      spec: {
        attach: { level: "selector", selector: "image=factory" },
        schematic:
          "customization:\n  extraKernelArgs: [net.ifnames=0]\n  systemExtensions:\n    officialExtensions: [siderolabs/qemu-guest-agent]\n",
      },
    });
    expect(saved.ok).toBe(true);
    const w5 = await eventually(
      async () => (await items("dev-sfo-1-w-5")).find((i) => i.field === "schematic"),
      30_000,
      "schematic drift on w-5",
    );
    expect(w5).toMatchObject({
      kind: "schematic",
      state: "drifted",
      baselineName: "factory",
      actual: { extensions: ["qemu-guest-agent", "tailscale"] },
    });
    expect((await items("dev-sfo-1-w-4")).filter((i) => i.field === "schematic")).toEqual([]);
    const page = await viewer().drift.machine({ id: await machineId("dev-sfo-1-w-4") });
    expect(page.expectations.find((e) => e.field === "schematic")?.status).toBe("holds");
    // the stored baseline is the parsed schematic, exported as YAML for git
    expect((await viewer().drift.exportBaselines()).yaml).toContain("officialExtensions:");
  });

  it("no secret of any machine configuration is in the database or an API response", async () => {
    expect(secrets.length).toBeGreaterThan(40);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const tables = (
      await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")
    ).rows.map((r) => r.t);
    let dump = "";
    for (const t of tables) {
      if (t === "talos_credential") continue; // Minos's own sealed client credentials, not machine secrets
      const rows = await client.query(`SELECT row_to_json(x)::text AS j FROM "${t}" x`);
      dump += rows.rows.map((r) => r.j).join("\n");
    }
    await client.end();
    expect(dump).toContain("(redacted) hmac:");
    const api = JSON.stringify([
      await viewer().drift.overview(),
      ...(await Promise.all(
        (sim.clusters[0]?.nodes ?? []).map(async (n) =>
          viewer().drift.machine({ id: await machineId(n.hostname) }),
        ),
      )),
      await viewer().drift.exportBaselines(),
    ]);
    expect(api).toContain("ghcr.io/siderolabs/installer:v1.13.9");
    for (const s of secrets) {
      expect(dump.includes(s), `a secret is in the database: ${s.slice(0, 12)}…`).toBe(false);
      expect(api.includes(s), `a secret is in an API response: ${s.slice(0, 12)}…`).toBe(false);
    }
  });
});
