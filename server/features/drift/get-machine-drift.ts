// One machine's drift as its drift page shows it: every expectation with the baseline that declared it (and
// those it overrode), whether it holds, the current items with acknowledgements, the redacted configuration,
// and the item history. Out of scope reads as not found.
import { stringify } from "yaml";
import { machineScopeWhere } from "../../access/auth/scope-filter";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { computeDrift } from "./compute-drift";
import { loadBaselines } from "./load-baselines";
import { type MachineDriftInput, machineDriftInputs } from "./machine-drift-input";
import { rankBaselines, resolveExpectations } from "./precedence";

const HISTORY = 100;

export async function getMachineDrift(opts: { db: PrismaClient; scopes: string[]; id: string; now?: Date }) {
  const { db } = opts;
  const now = opts.now ?? new Date();
  const where = { AND: [machineScopeWhere(opts.scopes), { id: opts.id }] };
  const first = await machineDriftInputs(db, where, 1).next();
  const input: MachineDriftInput | undefined = first.done ? undefined : first.value[0];
  if (!input) {
    throw new AppError("NOT_FOUND", { userMessage: "This machine does not exist or is outside your scope." });
  }
  const ranked = rankBaselines(await loadBaselines(db));
  const expectations = resolveExpectations(ranked, input.facts);
  const live = new Map(computeDrift(expectations, input.actual).map((i) => [i.field, i]));
  const [acks, history, state] = await Promise.all([
    db.driftAcknowledgement.findMany({
      where: { machineId: opts.id, expiresAt: { gt: now } },
      select: { field: true, reason: true, expiresAt: true, createdBy: true, createdAt: true },
    }),
    db.driftEvent.findMany({
      where: { machineId: opts.id },
      orderBy: { id: "desc" },
      take: HISTORY,
      select: {
        at: true,
        field: true,
        change: true,
        declared: true,
        actual: true,
        state: true,
        baselineName: true,
      },
    }),
    db.machineDriftState.findUnique({ where: { machineId: opts.id }, select: { readAt: true } }),
  ]);
  const ackByField = new Map(acks.map((a) => [a.field, a]));
  const since = new Map(input.items.map((i) => [i.field, i.since]));
  return {
    machine: {
      id: input.facts.id,
      hostname: input.facts.hostname,
      cluster: input.facts.cluster,
      site: input.facts.site,
      role: input.facts.role,
    },
    readAt: state?.readAt ?? null,
    configUnknownReason: input.actual.config ? null : (input.actual.configUnknownReason ?? null),
    /** Redacted before it was stored; YAML for the side-by-side view. */
    configYaml: input.actual.config
      ? input.actual.config
          .map((d) => stringify(d.value, { lineWidth: 0, sortMapEntries: true }))
          .join("---\n")
      : null,
    expectations: expectations.map((e) => {
      const item = live.get(e.field);
      return {
        field: e.field,
        kind: e.kind,
        declared: e.declared,
        actual: item ? item.actual : undefined,
        status: item ? item.state : ("holds" as const),
        reason: item?.reason ?? null,
        baseline: e.baseline,
        overridden: e.overridden,
        since: item ? (since.get(e.field) ?? null) : null,
        acknowledgement: ackByField.get(e.field) ?? null,
      };
    }),
    history,
  };
}
