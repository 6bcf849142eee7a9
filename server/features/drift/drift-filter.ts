// The machines list's drift filters: drift status (what the drift overview counts), the kind of drifted
// expectation, and membership of an outlier group. Acknowledged items do not count as drift until they expire,
// exactly as on the overview.
import { z } from "zod";
import { DRIFT_STATUSES, type DriftStatus } from "../../model/drift-status";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { Prisma } from "../../platform/db/generated/client";
import { outlierGroupByKey } from "./outlier-groups";
import { EXPECTATION_KINDS } from "./precedence";

export const driftFilterFields = {
  drift: z.enum(DRIFT_STATUSES).optional(),
  /** Only items of this kind (with drifted, unknown or acknowledged; alone it means drifted). */
  driftKind: z.enum(EXPECTATION_KINDS).optional(),
  /** An outlier group's key, as the drift overview links it. */
  outlier: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16}$/, "an outlier group key as the drift overview links it")
    .optional(),
};

export interface DriftFilter {
  drift?: DriftStatus;
  driftKind?: (typeof EXPECTATION_KINDS)[number];
  outlier?: string;
}

/** The condition on a machine's drift items for a status (and kind), at `now`. */
export function driftStatusWhere(f: DriftFilter, now: Date): Prisma.MachineWhereInput {
  const status = f.drift ?? (f.driftKind ? "drifted" : undefined);
  if (!status) return {};
  const kind = f.driftKind ? { kind: f.driftKind } : {};
  const counted: Prisma.DriftItemWhereInput = {
    state: "drifted",
    OR: [{ acknowledgedUntil: null }, { acknowledgedUntil: { lte: now } }],
  };
  switch (status) {
    case "drifted":
      return { driftItems: { some: { ...counted, ...kind } } };
    case "unknown":
      return {
        AND: [{ driftItems: { some: { state: "unknown", ...kind } } }, { driftItems: { none: counted } }],
      };
    case "acknowledged":
      return { driftItems: { some: { acknowledgedUntil: { gt: now }, ...kind } } };
    case "clean":
      if (f.driftKind) {
        throw new AppError("BAD_REQUEST", {
          userMessage:
            "A drift kind narrows drifted, unknown or acknowledged machines; leave it out to list clean ones.",
        });
      }
      return { driftItems: { none: { OR: [counted, { state: "unknown" }] } } };
  }
}

/** The machines of an outlier group as this reader sees it; `summary` null when the group no longer exists. */
export async function outlierWhere({
  db,
  scopes,
  key,
}: {
  db: PrismaClient;
  scopes: string[];
  key: string;
}): Promise<{ where: Prisma.MachineWhereInput; summary: string | null }> {
  const group = await outlierGroupByKey({ db, scopes, key });
  return { where: { id: { in: group?.machineIds ?? [] } }, summary: group?.summary ?? null };
}
