// Read-only Kubernetes access, against the simulator's Kubernetes API (real HTTPS, its RBAC): an
// administrator imports a reader's kubeconfig for a cluster; it is checked first — unreadable text, a
// credential plugin, the wrong certificate authority, another cluster, an identity that may not list
// nodes, and the admin kubeconfig (it may cordon and evict: not read-only) are each turned down saying
// what is wrong — then kept sealed; Minos's reads then go out as the reader, its changes still as admin.
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { eventually } from "../../testing/collector-fleet";
import { principalWith } from "../../testing/principals";
import { callerFor, type RolloutTestFleet, startRolloutTestFleet } from "../../testing/rollout-fleet";
import { ClusterClients } from "../credentials/cluster-clients";
import { KubeClients } from "./kube-clients";

const admin = principalWith("ada", "admin");
let fleet: RolloutTestFleet;

beforeAll(async () => {
  fleet = await startRolloutTestFleet({ clusters: 2, nodesPerCluster: 4, timeScale: 30, users: [admin] });
  await eventually(
    async () => (await fleet.database.db.machine.count({ where: { kubeNode: { not: "" } } })) >= 8,
    60_000,
    "the Kubernetes nodes collected",
  );
}, 120_000);
afterAll(() => fleet?.stop());

async function kubeconfigOf(cluster: string, user: string, groups: string[]): Promise<string> {
  const res = await fetch(`${fleet.sim.controlUrl}/kube/${cluster}/kubeconfig`, {
    method: "POST",
    body: JSON.stringify({ user, groups }),
  });
  expect(res.ok).toBe(true);
  return ((await res.json()) as { kubeconfig: string }).kubeconfig;
}

async function requestsBy(cluster: string, user: string): Promise<number> {
  const res = await fetch(`${fleet.sim.controlUrl}/kube/${cluster}`);
  return ((await res.json()) as { requestsByUser: Record<string, number> }).requestsByUser[user] ?? 0;
}

const api = () => callerFor(fleet, admin).kubeReaders;

async function refusal(cluster: string, kubeconfig: string): Promise<string> {
  try {
    await api().import({ cluster, kubeconfig });
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error("the import was accepted");
}

it("turns down what is not a read-only kubeconfig of this cluster, saying what is wrong", {
  timeout: 60_000,
}, async () => {
  const reader = await kubeconfigOf("dev-ams-1", "fleet-reader", ["fleet:readers"]);

  expect(await refusal("dev-ams-1", "apiVersion: v1\nclusters: [unclosed")).toMatch(
    /^The kubeconfig cannot be read \(.+\)\. Give the file kubectl uses for this cluster\.$/,
  );

  const plugin = parse(reader);
  plugin.users[0].user = { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh" } };
  expect(await refusal("dev-ams-1", stringify(plugin))).toMatch(
    /runs a credential plugin .* Minos does not run programs/,
  );

  // Another cluster's certificate authority: the server's certificate does not verify.
  const other = parse(await kubeconfigOf("edge-sfo-2", "fleet-reader", ["fleet:readers"]));
  const wrongCa = parse(reader);
  wrongCa.clusters[0].cluster["certificate-authority-data"] =
    other.clusters[0].cluster["certificate-authority-data"];
  expect(await refusal("dev-ams-1", stringify(wrongCa))).toMatch(
    /^Minos could not read the Kubernetes API at https:\/\/\S+ with this kubeconfig: .+\. Check the server address, the certificate authority and the credentials\.$/,
  );

  // Another cluster's (valid) kubeconfig.
  expect(await refusal("dev-ams-1", stringify(other))).toMatch(
    /has no node of cluster dev-ams-1 .*Import the kubeconfig of this cluster\.$/,
  );

  // An identity without a binding.
  expect(await refusal("dev-ams-1", await kubeconfigOf("dev-ams-1", "nobody", []))).toMatch(
    /^nobody may not list nodes on the Kubernetes API at \S+\. Bind it to a role that may get, list and watch nodes, pods and poddisruptionbudgets/,
  );

  // The admin kubeconfig: it may cordon and evict.
  expect(await refusal("dev-ams-1", await kubeconfigOf("dev-ams-1", "admin", ["system:masters"]))).toMatch(
    /^admin may change nodes \(cordon them\) on the Kubernetes API at \S+: it is not read-only\./,
  );
  expect(await api().list()).toEqual([]);
  const audit = await fleet.database.db.auditEntry.findMany({ where: { action: "kubeReaders.import" } });
  expect(audit.map((a) => a.result)).toEqual(Array(6).fill("error"));
});

it("keeps a reader sealed and reads as it; changes still go out as admin; removing it reads as admin again", {
  timeout: 60_000,
}, async () => {
  const reader = await kubeconfigOf("dev-ams-1", "fleet-reader", ["fleet:readers"]);
  const imported = await api().import({ cluster: "dev-ams-1", kubeconfig: reader });
  expect(imported).toMatchObject({ cluster: "dev-ams-1", identity: "fleet-reader", importedBy: "ada" });
  expect(imported.certNotAfter?.getTime()).toBeGreaterThan(Date.now());
  expect((await api().list()).map((r) => [r.cluster, r.identity])).toEqual([["dev-ams-1", "fleet-reader"]]);
  // Sealed: the private key is not in the database in the clear.
  const row = await fleet.database.db.kubeReader.findFirstOrThrow();
  const keyData = parse(reader).users[0].user["client-key-data"] as string;
  expect(Buffer.from(row.kubeconfigSealed).includes(keyData)).toBe(false);
  expect(Buffer.from(row.kubeconfigSealed).includes(Buffer.from(keyData, "base64"))).toBe(false);

  const kube = new KubeClients(
    fleet.database.db,
    // The Talos credentials open with the fleet's key; the reader was sealed, as the app seals, with
    // the instance's key (the default).
    new ClusterClients(fleet.database.db, { secretKey: fleet.secretKey }),
  );
  const reads = await requestsBy("dev-ams-1", "fleet-reader");
  const pods = await kube.withReader("dev-ams-1", (c) => c.listPods());
  expect(pods.length).toBeGreaterThan(0);
  expect(await requestsBy("dev-ams-1", "fleet-reader")).toBe(reads + 1);
  // A change goes out with the admin kubeconfig obtained through Talos.
  const adminCalls = await requestsBy("dev-ams-1", "admin");
  const node = (await kube.withReader("dev-ams-1", (c) => c.listNodes()))[0]?.metadata?.name ?? "";
  await (await kube.get("dev-ams-1")).patchNode(node, {
    metadata: { labels: { "example.com/touched": "yes" } },
  });
  expect(await requestsBy("dev-ams-1", "admin")).toBeGreaterThan(adminCalls);
  // A cluster without a reader reads as admin.
  const sfoAdmin = await requestsBy("edge-sfo-2", "admin");
  await kube.withReader("edge-sfo-2", (c) => c.listNodes());
  expect(await requestsBy("edge-sfo-2", "admin")).toBe(sfoAdmin + 1);

  await api().remove({ cluster: "dev-ams-1" });
  expect(await api().list()).toEqual([]);
  const fresh = new KubeClients(
    fleet.database.db,
    // The Talos credentials open with the fleet's key; the reader was sealed, as the app seals, with
    // the instance's key (the default).
    new ClusterClients(fleet.database.db, { secretKey: fleet.secretKey }),
  );
  const before = await requestsBy("dev-ams-1", "fleet-reader");
  await fresh.withReader("dev-ams-1", (c) => c.listNodes());
  expect(await requestsBy("dev-ams-1", "fleet-reader")).toBe(before);
});
