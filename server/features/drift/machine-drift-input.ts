// Loads machines with what drift compares (placement, versions, the collector's drift reading, current items),
// in pages, so a full recomputation of a large fleet never holds every machine at once.
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import type { ActualState } from "./actual-state";
import type { ConfigDocument } from "./config-documents";
import type { TrackedDriftItem } from "./history";
import type { MachineFacts } from "./machine-facts";
import type { ExpectationKind } from "./precedence";
import type { SchematicContents } from "./schematic";

export interface MachineDriftInput {
  facts: MachineFacts;
  actual: ActualState;
  items: TrackedDriftItem[];
}

const select = {
  id: true,
  hostname: true,
  role: true,
  effectiveSite: true,
  effectiveLabels: true,
  talosVersion: true,
  kubernetesVersion: true,
  health: true,
  stage: true,
  cluster: { select: { name: true } },
  driftState: true,
  driftItems: true,
} satisfies Prisma.MachineSelect;

type Row = Prisma.MachineGetPayload<{ select: typeof select }>;

const NOT_READ = "not read yet";

function toInput(r: Row): MachineDriftInput {
  const labels = (r.effectiveLabels ?? {}) as Record<string, string>;
  const s = r.driftState;
  return {
    facts: {
      id: r.id,
      hostname: r.hostname,
      cluster: r.cluster.name,
      site: r.effectiveSite,
      role: r.role,
      labels,
      talosVersion: r.talosVersion,
      kubernetesVersion: r.kubernetesVersion,
      health: r.health,
      stage: r.stage,
    },
    actual: {
      talosVersion: r.talosVersion || null,
      kubernetesVersion: r.kubernetesVersion || null,
      extensions: (s?.extensions as string[] | null | undefined) ?? null,
      schematicId: s?.schematicId ?? null,
      schematic: (s?.schematic as SchematicContents | null | undefined) ?? null,
      kernelArgs: (s?.kernelArgs as string[] | null | undefined) ?? null,
      labels,
      config: (s?.config as ConfigDocument[] | null | undefined) ?? null,
      configUnknownReason: s ? (s.configUnknownReason ?? undefined) : NOT_READ,
    },
    items: r.driftItems.map((i) => ({
      field: i.field,
      kind: i.kind as ExpectationKind,
      declared: i.declared,
      actual: i.actual ?? undefined,
      state: i.state as "drifted" | "unknown",
      ...(i.reason ? { reason: i.reason } : {}),
      baseline: { id: i.baselineId, name: i.baselineName, level: "fleet" },
      since: i.since,
    })),
  };
}

type Client = PrismaClient | Prisma.TransactionClient;

/** Machines (not removed) matching `where`, ordered by id, after `cursor`, at most `take`. */
export async function loadDriftInputs(
  db: Client,
  where: Prisma.MachineWhereInput,
  opts: { take?: number; cursor?: string } = {},
): Promise<MachineDriftInput[]> {
  const rows = await db.machine.findMany({
    where: { AND: [where, { removedAt: null }, opts.cursor ? { id: { gt: opts.cursor } } : {}] },
    select,
    orderBy: { id: "asc" },
    ...(opts.take ? { take: opts.take } : {}),
  });
  return rows.map(toInput);
}

/** Pages of machines (not removed) matching `where`, ordered by id. */
export async function* machineDriftInputs(
  db: Client,
  where: Prisma.MachineWhereInput,
  pageSize = 1_000,
): AsyncGenerator<MachineDriftInput[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await loadDriftInputs(db, where, { take: pageSize, cursor });
    if (page.length === 0) return;
    yield page;
    cursor = page[page.length - 1]?.facts.id;
    if (page.length < pageSize) return;
  }
}
