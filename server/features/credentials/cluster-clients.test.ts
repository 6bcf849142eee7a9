// A cluster's Talos clients follow its credential and endpoints at once, on every instance: after a
// talosconfig is imported again (a cluster moved to new endpoints under a new CA, as when a fleet is
// re-created), the next job on any instance talks to the new cluster with the new certificate; a
// certificate that is replaced or removed stops being used, open streams included, on an instance that
// asked nothing meanwhile too. Two simulators of the same fleet (same cluster name, same node addresses,
// each its own CA and port) stand for the old and the new cluster; each "instance" has its own channel
// pool and its own listener on the database, as two Minos processes do.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetChanges } from "../../platform/fleet-changes";
import { loadSecretKey, type SecretKey } from "../../platform/secrets/secret-key";
import { ChannelPool, type TalosClient, TalosCredentialRetiredError } from "../../talos";
import { eventually, seedFleet } from "../../testing/collector-fleet";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { startTestFleet, type TestFleet } from "../../testing/talos-fleet";
import { ClusterClients } from "./cluster-clients";
import { removeCredential } from "./remove-credential";
import { replaceCredential } from "./replace-credential";

let database: TestDatabase;
let secretKey: SecretKey;
let oldFleet: TestFleet;
let newFleet: TestFleet;
let oldSim: TestFleet["sim"];
let newSim: TestFleet["sim"];
let keyDir: string;

interface Instance {
  clients: ClusterClients;
  pool: ChannelPool;
  changes: FleetChanges;
}
const instances: Instance[] = [];

function instance(): Instance {
  const pool = new ChannelPool();
  const changes = new FleetChanges(database.url);
  const made = { clients: new ClusterClients(database.db, { secretKey, pool, changes }), pool, changes };
  instances.push(made);
  return made;
}

/** One simulated cluster of the same fleet each time: same cluster name and node addresses, its own CA and port. */
const simulator = () => startTestFleet({ nodesPerCluster: 2, seed: "cluster-clients" });

const cluster = () => oldSim.clusters[0]?.name as string;
const node = () => oldSim.clusters[0]?.nodes[0]?.address as string;

/** Reads a following log stream in the background; `ended` settles with how it ended. */
function follow(client: TalosClient): { lines: () => number; ended: Promise<unknown> } {
  let lines = 0;
  const controller = new AbortController();
  const ended = (async () => {
    for await (const _ of client.logs({
      node: node(),
      id: "kubelet",
      follow: true,
      tailLines: 1,
      signal: controller.signal,
    }))
      lines++;
    return "ended quietly";
  })().catch((err: unknown) => err);
  setTimeout(() => controller.abort(), 20_000).unref();
  return { lines: () => lines, ended };
}

beforeAll(async () => {
  database = await createTestDatabase();
  keyDir = await mkdtemp(path.join(os.tmpdir(), "minos-cc-key-"));
  secretKey = await loadSecretKey({ dataDir: keyDir });
  [oldFleet, newFleet] = await Promise.all([simulator(), simulator()]);
  oldSim = oldFleet.sim;
  newSim = newFleet.sim;
  await seedFleet(database.db, oldSim, secretKey);
});

afterAll(async () => {
  for (const i of instances) {
    i.clients.close();
    i.pool.close();
    await i.changes.close();
  }
  await Promise.all([oldFleet?.stop(), newFleet?.stop()]);
  await database?.drop();
  await rm(keyDir, { recursive: true, force: true });
});

describe("a cluster's Talos clients", () => {
  it("use a replaced credential and new endpoints at the next job on every instance, and stop using the old certificate at once", async () => {
    const one = instance();
    const two = instance();
    const before = await one.clients.get(cluster(), "read");
    expect(before.context.endpoints).toEqual([oldSim.clusters[0]?.endpoint]);
    // Instance two has a log stream open on the old cluster.
    const watching = await two.clients.get(cluster(), "read");
    const stream = follow(watching);
    await eventually(async () => stream.lines() > 0, 10_000, "log lines from the old cluster");

    // The cluster's talosconfig is imported again: new certificate (another CA), new endpoint.
    await replaceCredential(database.db, { name: cluster(), talosconfig: newSim.talosconfig, secretKey });
    await database.db.cluster.update({
      where: { name: cluster() },
      data: { endpoints: [newSim.clusters[0]?.endpoint as string] },
    });

    // The very next job, on either instance, has the new certificate and endpoint.
    const newCert = (await database.db.talosCredential.findUniqueOrThrow({ where: { name: cluster() } }))
      .certPem;
    for (const i of [one, two]) {
      const after = await i.clients.get(cluster(), "read");
      expect(after.context.certPem).toBe(newCert);
      expect(after.context.endpoints).toEqual([newSim.clusters[0]?.endpoint]);
    }
    // The stream on the old certificate ended, saying why, while the old cluster still answers.
    const ended = await stream.ended;
    expect(ended).toBeInstanceOf(TalosCredentialRetiredError);
    expect((ended as Error).message).toMatch(/credential .* was replaced or removed/);
    expect(before.retired).toBe(true);
    // Nothing of the old cluster is needed any more: the new one answers through the new client.
    await oldSim.stop();
    const v = await (await two.clients.get(cluster(), "read")).version({ node: node() });
    expect(v.tag).toMatch(/^v1\./);
  });

  it("stop using a removed credential on an instance that asked nothing since, open streams included", async () => {
    const one = instance();
    const two = instance();
    const watching = await two.clients.get(cluster(), "read");
    const stream = follow(watching);
    await eventually(async () => stream.lines() > 0, 10_000, "log lines");
    expect(two.pool.size).toBeGreaterThan(0);

    await removeCredential(database.db, cluster());

    // Instance two hears of it: its stream ends and its channels of the certificate are closed.
    expect(await stream.ended).toBeInstanceOf(TalosCredentialRetiredError);
    expect(watching.retired).toBe(true);
    expect(two.pool.size).toBe(0);
    await expect(watching.version({ node: node() })).rejects.toBeInstanceOf(TalosCredentialRetiredError);
    // The next job on either instance is refused, saying what to do.
    for (const i of [one, two]) {
      await expect(i.clients.get(cluster(), "read")).rejects.toThrow(
        /it has no credential at all\. Import a talosconfig/,
      );
    }
  });
});
