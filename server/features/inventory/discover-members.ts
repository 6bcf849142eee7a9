// Discovers a cluster's machines through the Talos API: the cluster members (COSI
// Members.cluster.talos.dev) as its endpoint sees them — hostname, addresses, control plane or worker.
import { TalosClient, type TalosContext, TalosError } from "../../talos";

export interface DiscoveredMachine {
  hostname: string;
  /** The address Minos targets with `node` metadata: the first IPv4, else the first address. */
  address: string;
  role: "controlplane" | "worker";
}

export class DiscoveryError extends Error {
  override name = "DiscoveryError";
  constructor(
    readonly context: string,
    readonly reason: string,
  ) {
    super(`Cluster "${context}": ${reason}`);
  }
}

export async function discoverMembers(
  context: TalosContext,
  opts: { timeoutMs?: number; client?: TalosClient } = {},
): Promise<DiscoveredMachine[]> {
  const client = opts.client ?? new TalosClient(context);
  let members: Awaited<ReturnType<TalosClient["members"]>>;
  try {
    members = await client.members({ timeoutMs: opts.timeoutMs ?? 10_000 });
  } catch (err) {
    const reason = err instanceof TalosError ? err.message : (err as Error).message;
    throw new DiscoveryError(context.name, reason);
  }
  if (members.length === 0) {
    throw new DiscoveryError(
      context.name,
      "the endpoint answered but lists no cluster members. Is cluster discovery enabled in the machine configuration?",
    );
  }
  return members.map((m) => ({
    hostname: m.hostname || m.id,
    address: m.addresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? m.addresses[0] ?? m.hostname,
    role: m.machineType === "controlplane" || m.machineType === "init" ? "controlplane" : "worker",
  }));
}
