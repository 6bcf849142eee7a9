// Credentials opened from the database connect to a simulated Talos cluster over real mTLS, and the
// least-privileged one chosen for reads really is refused admin work by Talos.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueClientCert, loadCa, type RunningSimulator, renderTalosconfig, startSimulator } from "@/sim";
import { loadSecretKey, type SecretKey } from "../../platform/secrets/secret-key";
import { ChannelPool } from "../../talos/channel-pool";
import { TalosClient } from "../../talos/client";
import { TalosPermissionDeniedError } from "../../talos/errors";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { credentialFor } from "./credential-for";
import { importCredentials } from "./import-credentials";

let database: TestDatabase;
let secretKey: SecretKey;
let sim: RunningSimulator;
let stateDir: string;
let clusterName: string;
let node: string;
const pool = new ChannelPool();

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-cred-sim-"));
  secretKey = await loadSecretKey({ dataDir: stateDir });
  sim = await startSimulator({
    clusters: 1,
    nodesPerCluster: 2,
    port: 0,
    stateDir,
    role: "os:admin",
    timeScale: 100,
    seed: "credentials",
  });
  const cluster = sim.clusters[0];
  if (!cluster) throw new Error("the simulator started without clusters");
  clusterName = cluster.name;
  node = cluster.nodes[0]?.address ?? "";
  // The simulator's own talosconfig (os:admin) and a reader issued by the same CA.
  await importCredentials(database.db, { talosconfig: sim.talosconfig, secretKey });
  const ca = await loadCa(
    await readFile(path.join(stateDir, "ca.crt"), "utf8"),
    await readFile(path.join(stateDir, "ca.key"), "utf8"),
  );
  const reader = await issueClientCert(ca, { role: "os:reader", commonName: "minos-reader" });
  await importCredentials(database.db, {
    talosconfig: renderTalosconfig([
      { name: `${clusterName}-reader`, endpoints: [cluster.endpoint], caPem: ca.certPem, ...reader },
    ]),
    secretKey,
  });
  const admin = await database.db.talosCredential.findUniqueOrThrow({ where: { name: clusterName } });
  await database.db.cluster.create({
    data: { name: clusterName, endpoints: [cluster.endpoint], credentialId: admin.id },
  });
});

afterAll(async () => {
  pool.close();
  await sim?.stop();
  await database?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("opened credentials against the simulator", () => {
  it("reads through the os:reader credential, which Talos refuses admin reads", async () => {
    const ctx = await credentialFor(database.db, clusterName, "read", { secretKey });
    expect(ctx.name).toBe(`${clusterName}-reader`);
    const client = new TalosClient(ctx, { pool });
    expect((await client.version({ node })).tag).toMatch(/^v\d+\.\d+/);
    await expect(client.machineConfig({ node })).rejects.toBeInstanceOf(TalosPermissionDeniedError);
  });

  it("does admin work only through the os:admin credential", async () => {
    const ctx = await credentialFor(database.db, clusterName, "admin", { secretKey });
    expect(ctx.name).toBe(clusterName);
    expect(ctx.roles).toEqual(["os:admin"]);
    const config = await new TalosClient(ctx, { pool }).machineConfig({ node });
    expect(config).toMatch(/machine:/);
  });
});
