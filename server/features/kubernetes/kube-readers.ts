// Read-only Kubernetes access per cluster. An administrator may import a least-privilege kubeconfig for a
// cluster; Minos's reads of its Kubernetes API (the collector's node watch, the wave briefing's risks, the
// pod check) then use it, while changes (cordon, eviction, uncordon) keep using the admin kubeconfig
// obtained through Talos. An import is checked before it is kept: it must be readable data (no credential
// plugin), reach this cluster's API, be allowed to read nodes, pods and disruption budgets, and be refused
// every change a drain makes — otherwise it is not read-only and is turned down, saying why.
import { KubeClient, KubeError } from "../../kubernetes";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { instanceSecretKey } from "../../platform/secrets/instance-key";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { sealKubeReader } from "../credentials/kube-reader-seal";

/** What must be readable, and what must be refused, for a kubeconfig to serve as the cluster's reader. */
const MUST_READ = [
  { verb: "list", resource: "nodes" },
  { verb: "watch", resource: "nodes" },
  { verb: "list", resource: "pods" },
  { verb: "list", resource: "poddisruptionbudgets", group: "policy" },
] as const;
const MUST_NOT = [
  { verb: "patch", resource: "nodes", what: "change nodes (cordon them)" },
  { verb: "create", resource: "pods", subresource: "eviction", what: "evict pods" },
  { verb: "delete", resource: "pods", what: "delete pods" },
] as const;

export interface KubeReaderSummary {
  cluster: string;
  server: string;
  identity: string;
  certNotAfter: Date | null;
  importedBy: string;
  importedAt: Date;
}

const bad = (userMessage: string) => new AppError("BAD_REQUEST", { userMessage });

/** Checks the kubeconfig against the cluster's API and keeps it sealed; replaces an earlier one. */
export async function importKubeReader(o: {
  db: PrismaClient;
  /** The instance's secret key unless given (tests). */
  key?: SecretKey;
  cluster: string;
  kubeconfig: string;
  by: string;
}): Promise<KubeReaderSummary> {
  const cluster = await o.db.cluster.findFirst({
    where: { name: o.cluster, removedAt: null },
    select: { id: true, name: true },
  });
  if (!cluster) throw new AppError("NOT_FOUND", { userMessage: `There is no cluster named "${o.cluster}".` });

  let client: KubeClient;
  try {
    client = new KubeClient(o.kubeconfig);
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err));
  }
  if (client.facts.usesPlugin) {
    throw bad(
      "This kubeconfig runs a credential plugin (exec or auth-provider), a program on the server. Minos does not run programs from a kubeconfig: use one with a client certificate or a token.",
    );
  }
  const where = `the Kubernetes API at ${client.facts.server}`;
  let nodes: string[];
  try {
    nodes = (await client.listNodes({ timeoutMs: 10_000 })).map((n) => n.metadata?.name ?? "");
  } catch (err) {
    if (err instanceof KubeError && err.code === 403) {
      throw bad(
        `${client.facts.identity || "Its identity"} may not list nodes on ${where}. Bind it to a role that may get, list and watch nodes, pods and poddisruptionbudgets (docs/operations.md).`,
      );
    }
    throw bad(
      `Minos could not read ${where} with this kubeconfig: ${err instanceof Error ? err.message : String(err)}. Check the server address, the certificate authority and the credentials.`,
    );
  }
  // The same cluster: its nodes are the machines Minos knows (by their Kubernetes node names).
  const known = await o.db.machine.count({
    where: {
      clusterId: cluster.id,
      removedAt: null,
      OR: [{ kubeNode: { in: nodes } }, { hostname: { in: nodes } }],
    },
  });
  if (known === 0) {
    throw bad(
      `${where} has no node of cluster ${cluster.name} (it lists ${nodes.length === 0 ? "no nodes" : nodes.slice(0, 3).join(", ")}). Import the kubeconfig of this cluster.`,
    );
  }
  for (const need of MUST_READ) {
    if (!(await client.may(need, { timeoutMs: 10_000 }))) {
      throw bad(
        `${client.facts.identity} may not ${need.verb} ${need.resource} on ${where}. Bind it to a role that may get, list and watch nodes, pods and poddisruptionbudgets (docs/operations.md).`,
      );
    }
  }
  for (const refuse of MUST_NOT) {
    if (await client.may(refuse, { timeoutMs: 10_000 })) {
      throw bad(
        `${client.facts.identity} may ${refuse.what} on ${where}: it is not read-only. Minos already changes nodes with the admin kubeconfig it obtains through Talos; import an identity bound to a read-only role.`,
      );
    }
  }

  const data = {
    server: client.facts.server,
    identity: client.facts.identity,
    certNotAfter: client.facts.certNotAfter ?? null,
    kubeconfigSealed: sealKubeReader(o.key ?? instanceSecretKey(), cluster.id, o.kubeconfig),
    importedBy: o.by,
    importedAt: new Date(),
  };
  await o.db.kubeReader.upsert({
    where: { clusterId: cluster.id },
    create: { clusterId: cluster.id, ...data },
    update: data,
  });
  const { kubeconfigSealed: _sealed, ...shown } = data;
  return { cluster: cluster.name, ...shown };
}

/** Forgets the cluster's read-only kubeconfig: its reads use the admin kubeconfig again. */
export async function removeKubeReader(o: {
  db: PrismaClient;
  cluster: string;
}): Promise<{ removed: boolean }> {
  const n = await o.db.kubeReader.deleteMany({ where: { cluster: { name: o.cluster } } });
  if (n.count === 0) {
    throw new AppError("NOT_FOUND", { userMessage: `Cluster ${o.cluster} has no read-only kubeconfig.` });
  }
  return { removed: true };
}

/** Every cluster's imported reader (no secret leaves: the kubeconfig stays sealed in the database). */
export async function listKubeReaders(db: PrismaClient): Promise<KubeReaderSummary[]> {
  const rows = await db.kubeReader.findMany({
    where: { cluster: { removedAt: null } },
    orderBy: { cluster: { name: "asc" } },
    select: {
      server: true,
      identity: true,
      certNotAfter: true,
      importedBy: true,
      importedAt: true,
      cluster: { select: { name: true } },
    },
  });
  return rows.map(({ cluster, ...r }) => ({ cluster: cluster.name, ...r }));
}
