// Who may do what on the simulated API server, through @kubernetes/client-node over real HTTPS: the
// admin (system:masters) may do everything; a reader of the group fleet:readers may get, list and watch
// but neither patch a node nor evict a pod (403 worded as the API server words it); anyone may ask what
// they may do (SelfSubjectAccessReview); an identity with no binding is refused everything else.
import { AuthorizationV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestSim, type TestSim } from "../test-helpers";
import { kubeClients, statusBody } from "./test-kube";

let t: TestSim;
let cluster: TestSim["sim"]["clusters"][number];

beforeAll(async () => {
  t = await startTestSim({
    clusters: 1,
    nodesPerCluster: 4,
    seed: "kube-rbac",
    timeScale: 10,
    healthy: true,
  });
  cluster = t.sim.clusters[0] as typeof cluster;
});
afterAll(() => t.close());

async function clientsAs(user: string, groups: string[]) {
  const r = await t.control("POST", `/kube/${cluster.name}/kubeconfig`, { user, groups });
  expect(r.status).toBe(200);
  const k = kubeClients((r.json as { kubeconfig: string }).kubeconfig);
  return { ...k, authz: k.kc.makeApiClient(AuthorizationV1Api) };
}

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return statusBody(err);
  }
  throw new Error("the request was allowed");
}

async function may(authz: AuthorizationV1Api, verb: string, resource: string, subresource?: string) {
  const r = await authz.createSelfSubjectAccessReview({
    body: {
      spec: { resourceAttributes: { verb, resource, group: "", ...(subresource ? { subresource } : {}) } },
    },
  });
  return r.status;
}

it("lets a reader get, list and watch, and refuses it every change as the API server does", async () => {
  const reader = await clientsAs("fleet-reader", ["fleet:readers"]);
  const nodes = (await reader.core.listNode()).items;
  expect(nodes.length).toBe(4);
  const pods = (await reader.core.listPodForAllNamespaces()).items;
  expect(pods.length).toBeGreaterThan(0);
  expect((await reader.policy.listPodDisruptionBudgetForAllNamespaces()).items.length).toBeGreaterThan(0);

  const name = nodes[0]?.metadata?.name ?? "";
  const patch = await refusal(
    reader.core.patchNode(
      { name, body: { spec: { unschedulable: true } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    ),
  );
  expect(patch).toMatchObject({
    code: 403,
    reason: "Forbidden",
    message: `nodes "${name}" is forbidden: User "fleet-reader" cannot patch resource "nodes" in API group "" at the cluster scope`,
  });
  const pod = pods.find((p) => p.metadata?.namespace !== "kube-system") ?? pods[0];
  const evict = await refusal(
    reader.core.createNamespacedPodEviction({
      name: pod?.metadata?.name ?? "",
      namespace: pod?.metadata?.namespace ?? "",
      body: { metadata: { name: pod?.metadata?.name, namespace: pod?.metadata?.namespace } },
    }),
  );
  expect(evict?.message).toBe(
    `pods "${pod?.metadata?.name}" is forbidden: User "fleet-reader" cannot create resource "pods/eviction" in API group "" in the namespace "${pod?.metadata?.namespace}"`,
  );
  // Nothing changed.
  expect((await reader.core.readNode({ name })).spec?.unschedulable ?? false).toBe(false);

  // It can ask what it may do.
  expect(await may(reader.authz, "list", "nodes")).toMatchObject({ allowed: true });
  expect(await may(reader.authz, "patch", "nodes")).toMatchObject({ allowed: false });
  expect(await may(reader.authz, "create", "pods", "eviction")).toMatchObject({ allowed: false });
});

it("lets the admin do everything, and refuses an identity with no binding", async () => {
  const admin = await clientsAs("admin", ["system:masters"]);
  expect(await may(admin.authz, "patch", "nodes")).toMatchObject({ allowed: true });
  const stranger = await clientsAs("nobody", []);
  expect(await may(stranger.authz, "list", "nodes")).toMatchObject({ allowed: false });
  const listed = await refusal(stranger.core.listNode());
  expect(listed).toMatchObject({
    code: 403,
    reason: "Forbidden",
    message: `nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope`,
  });
});
