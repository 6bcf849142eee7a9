// Label selectors (selector.ts) as Prisma conditions on the machine table: site and labels are read
// from the machine's effective columns, which the database keeps current.

import { AppError } from "../../model/errors";
import { FIELD_KEYS, type FieldKey, type Selector } from "../../model/selector";
import { Prisma } from "./generated/client";
import { likeText } from "./like-text";

const HEALTH = ["healthy", "degraded", "unhealthy", "unreachable", "upgrading", "unknown"];
const ROLES = ["controlplane", "worker"];

function stringCondition(value: string): Prisma.StringFilter | string {
  return value.endsWith("*") ? { startsWith: likeText(value.slice(0, -1)) } : value;
}

function siteWhere(value: string): Prisma.MachineWhereInput {
  return { effectiveSite: stringCondition(value) };
}

function fieldWhere(key: FieldKey, value: string): Prisma.MachineWhereInput {
  switch (key) {
    case "site":
      return siteWhere(value);
    case "cluster":
      return { cluster: { name: stringCondition(value) } };
    case "version":
      return { talosVersion: stringCondition(value) };
    case "kubernetes":
      return { kubernetesVersion: stringCondition(value) };
    case "stage":
      return { stage: stringCondition(value) };
    case "role": {
      const role = value === "control-plane" || value === "controlplane" ? "controlplane" : value;
      if (!ROLES.includes(role)) {
        throw new AppError("BAD_REQUEST", {
          userMessage: `role must be controlplane or worker, not "${value}".`,
        });
      }
      return { role: role as "controlplane" | "worker" };
    }
    case "health":
      if (!HEALTH.includes(value)) {
        throw new AppError("BAD_REQUEST", {
          userMessage: `health must be one of ${HEALTH.join(", ")}, not "${value}".`,
        });
      }
      return { health: value as "healthy" };
  }
}

// Labels are matched on the machine's effective labels (its cluster's merged with its own, kept by
// a database trigger), so a term reads one column of one table. A missing key reads as database
// NULL at its path: Prisma's DbNull tells absent from present, and every comparison is guarded by
// "present" so that a negated term keeps machines that lack the label.
const present = (key: string) => ({ effectiveLabels: { path: [key], not: Prisma.DbNull } });

function labelEquals(key: string, value: string): Prisma.MachineWhereInput {
  const matches = value.endsWith("*")
    ? { path: [key], string_starts_with: value.slice(0, -1) }
    : { path: [key], equals: value };
  return { AND: [present(key), { effectiveLabels: matches }] };
}

function labelExists(key: string): Prisma.MachineWhereInput {
  return present(key);
}

/** The database filter for a parsed selector. */
export function selectorWhere(selector: Selector): Prisma.MachineWhereInput {
  const and = selector.map((t): Prisma.MachineWhereInput => {
    if (t.kind === "exists") return t.negated ? { NOT: labelExists(t.key) } : labelExists(t.key);
    const isField = (FIELD_KEYS as readonly string[]).includes(t.key);
    const any: Prisma.MachineWhereInput = {
      OR: t.values.map((v) => (isField ? fieldWhere(t.key as FieldKey, v) : labelEquals(t.key, v))),
    };
    return t.negated ? { NOT: any } : any;
  });
  return and.length === 0 ? {} : { AND: and };
}
