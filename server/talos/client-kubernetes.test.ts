// The Kubernetes side of Talos over real mTLS: the admin kubeconfig a control plane hands out (a gzip'd tar
// machined never closes) opens with the official Kubernetes client against the cluster's API; a worker
// refuses with Talos's words; the node's name in Kubernetes comes from the Nodenames resource.
import { afterAll, beforeAll, expect, it } from "vitest";
import { KubeClient } from "../kubernetes";
import { startTestFleet, type TestFleet } from "../testing/talos-fleet";
import { TalosUnimplementedError } from "./errors";

let fleet: TestFleet;
beforeAll(async () => {
  fleet = await startTestFleet({ nodesPerCluster: 4 });
});
afterAll(async () => {
  await fleet?.stop();
});

it("reads a working admin kubeconfig from a control plane, and the nodes' names in Kubernetes", async () => {
  const cp = fleet.cluster.nodes.find((n) => n.role === "controlplane");
  if (!cp) throw new Error("no control plane");
  const text = await fleet.client.kubeconfig({ node: cp.address });
  expect(text).toContain("client-key-data");
  const kube = new KubeClient(text);
  expect(kube.facts.server).toMatch(/^https:\/\/127\.\d+\.\d+\.\d+:\d+$/);
  expect(kube.facts.certNotAfter?.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  const nodes = (await kube.listNodes()).map((n) => n.metadata?.name).sort();
  const names = await Promise.all(fleet.cluster.nodes.map((n) => fleet.client.nodename({ node: n.address })));
  expect(nodes).toEqual([...names].sort());
  expect(names).toEqual(fleet.cluster.nodes.map((n) => n.hostname.toLowerCase()));
});

it("is refused by a worker as Talos refuses it", async () => {
  const worker = fleet.cluster.nodes.find((n) => n.role === "worker");
  if (!worker) throw new Error("no worker");
  const err = await fleet.client.kubeconfig({ node: worker.address }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TalosUnimplementedError);
  expect((err as Error).message).toContain("kubeconfig is only available on control plane nodes");
});
