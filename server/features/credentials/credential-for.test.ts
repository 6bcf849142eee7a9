// Minos reaches a cluster with the least-privileged credential that can do the job, and says which
// role is missing when none can; certificates close to expiry are flagged; clients are kept per cluster and need.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, renderTalosconfig } from "@/sim";
import { loadSecretKey, type SecretKey } from "../../platform/secrets/secret-key";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCa, talosContext } from "../../testing/talosconfig-contexts";
import { ClusterClients } from "./cluster-clients";
import { chooseCredential, credentialFor } from "./credential-for";
import { importCredentials } from "./import-credentials";
import { listCredentials } from "./list-credentials";

const DAY_MS = 86_400_000;
let database: TestDatabase;
let secretKey: SecretKey;
let edgeCa: CertificateAuthority;
let labCa: CertificateAuthority;

beforeAll(async () => {
  database = await createTestDatabase();
  secretKey = await loadSecretKey({ dataDir: await mkdtemp(path.join(os.tmpdir(), "minos-cred-")) });
  [edgeCa, labCa] = await Promise.all([createCa(), createCa()]);
  const contexts = await Promise.all([
    talosContext(edgeCa, "edge-admin", { role: "os:admin", days: 10 }),
    talosContext(edgeCa, "edge-operator", { role: "os:operator" }),
    talosContext(edgeCa, "edge-reader", { role: "os:reader", days: 30 }),
    talosContext(labCa, "lab-operator", { role: "os:operator", endpoints: ["10.9.0.1"] }),
    talosContext(labCa, "lab-backup", { role: "os:etcd:backup", endpoints: ["10.9.0.1"] }),
  ]);
  await importCredentials(database.db, { talosconfig: renderTalosconfig(contexts), secretKey });
  const edgeAdmin = await database.db.talosCredential.findUniqueOrThrow({ where: { name: "edge-admin" } });
  await database.db.cluster.createMany({
    data: [
      // Linked to its admin credential; the other credentials of its CA serve it too.
      { name: "edge", endpoints: ["10.1.0.1", "10.1.0.2"], credentialId: edgeAdmin.id },
      // Not linked: found by endpoint.
      { name: "lab", endpoints: ["10.9.0.1:50000"] },
      { name: "bare", endpoints: ["10.200.0.1"] },
    ],
  });
});
afterAll(() => database.drop());

const pick = (cluster: string, need: "read" | "operate" | "admin") =>
  credentialFor(database.db, cluster, need, { secretKey });

describe("credentialFor", () => {
  it("reads through os:reader, operates through os:operator, and uses os:admin only for admin jobs", async () => {
    expect((await pick("edge", "read")).name).toBe("edge-reader");
    expect((await pick("edge", "operate")).name).toBe("edge-operator");
    expect((await pick("edge", "admin")).name).toBe("edge-admin");
  });

  it("opens the chosen credential, aimed at the cluster's endpoints", async () => {
    const ctx = await pick("edge", "read");
    expect(ctx.roles).toEqual(["os:reader"]);
    expect(ctx.keyPem).toContain("-----BEGIN PRIVATE KEY-----");
    expect(ctx.endpoints).toEqual(["10.1.0.1:50000", "10.1.0.2:50000"]);
  });

  it("falls back to a stronger role when no weaker one is configured", async () => {
    expect((await pick("lab", "read")).name).toBe("lab-operator");
  });

  it("names the role needed when no credential has it", async () => {
    await expect(pick("lab", "admin")).rejects.toThrow(
      /cannot run admin jobs on cluster "lab" \(upgrades, machine configuration\): that needs a Talos credential with the role os:admin, and it has only "lab-backup" \(os:etcd:backup\), "lab-operator" \(os:operator\)/,
    );
    await expect(pick("bare", "read")).rejects.toThrow(
      /role os:reader or higher, and it has no credential at all\. Import a talosconfig whose certificate carries os:reader/,
    );
    await expect(pick("nowhere", "read")).rejects.toThrow(/no cluster named "nowhere"/);
  });

  it("skips an expired certificate for a valid one, and says so when only expired ones fit", () => {
    const now = new Date();
    const expired = { name: "old-reader", role: "os:reader", certNotAfter: new Date(now.getTime() - DAY_MS) };
    const admin = { name: "admin", role: "os:admin", certNotAfter: new Date(now.getTime() + DAY_MS) };
    expect(chooseCredential("c", [expired, admin], "read", now).name).toBe("admin");
    expect(() => chooseCredential("c", [expired], "read", now)).toThrow(
      /"old-reader" \(os:reader\) that could read the state of cluster "c" expired on/,
    );
  });

  it("prefers the certificate that lasts longer among equals", () => {
    const now = new Date();
    const soon = { name: "soon", role: "os:reader", certNotAfter: new Date(now.getTime() + DAY_MS) };
    const later = { name: "later", role: "os:reader", certNotAfter: new Date(now.getTime() + 90 * DAY_MS) };
    expect(chooseCredential("c", [soon, later], "read", now).name).toBe("later");
  });
});

describe("listed facts", () => {
  it("warn 30 days before a certificate expires, and flag expired ones", async () => {
    const facts = await listCredentials(database.db);
    const byName = Object.fromEntries(facts.map((f) => [f.name, f]));
    expect(byName["edge-admin"]).toMatchObject({ daysLeft: 9, expiresSoon: true, expired: false });
    expect(byName["edge-reader"]).toMatchObject({ daysLeft: 29, expiresSoon: true, expired: false });
    expect(byName["edge-operator"]).toMatchObject({ expiresSoon: false, expired: false });
    const later = await listCredentials(database.db, { now: new Date(Date.now() + 11 * DAY_MS) });
    expect(later.find((f) => f.name === "edge-admin")).toMatchObject({ expired: true, expiresSoon: false });
  });

  it("say which clusters each credential serves", async () => {
    const facts = await listCredentials(database.db);
    const clusters = Object.fromEntries(facts.map((f) => [f.name, f.clusters]));
    expect(clusters["edge-admin"]).toEqual(["edge"]);
    expect(clusters["edge-reader"]).toEqual(["edge"]);
    expect(clusters["lab-operator"]).toEqual([]);
  });
});

describe("ClusterClients", () => {
  it("keeps one client per cluster and need while what it was chosen from is unchanged, and does not keep a refusal", async () => {
    const clients = new ClusterClients(database.db, { secretKey });
    const reader = await clients.get("edge", "read");
    expect(reader.context.name).toBe("edge-reader");
    expect(await clients.get("edge", "read")).toBe(reader);
    expect((await clients.get("edge", "admin")).context.name).toBe("edge-admin");

    // Refused now; once a fitting credential is imported, the next job gets it.
    await expect(clients.get("bare", "read")).rejects.toThrow(/it has no credential at all/);
    const bareCa = await createCa();
    const bare = await talosContext(bareCa, "bare-reader", { role: "os:reader", endpoints: ["10.200.0.1"] });
    await importCredentials(database.db, { talosconfig: renderTalosconfig([bare]), secretKey });
    expect((await clients.get("bare", "read")).context.name).toBe("bare-reader");

    // A cluster given other endpoints: the next job is aimed at them, with the same credential.
    await database.db.cluster.update({ where: { name: "edge" }, data: { endpoints: ["10.1.0.9"] } });
    const moved = await clients.get("edge", "read");
    expect(moved).not.toBe(reader);
    expect(moved.context.endpoints).toEqual(["10.1.0.9:50000"]);
    expect(reader.retired).toBe(false); // its certificate is still stored: streams on it go on
    await database.db.cluster.update({
      where: { name: "edge" },
      data: { endpoints: ["10.1.0.1", "10.1.0.2"] },
    });
    clients.close();
  });
});
