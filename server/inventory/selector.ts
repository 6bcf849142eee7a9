// Label selectors, usable everywhere a set of machines is chosen:
//   role=worker,site in (eu/dk/*),!canary,health!=healthy,version=v1.13.*
// Terms are ANDed. A term is `key`, `!key`, `key=value` (or ==), `key!=value`, `key in (a,b)` or
// `key notin (a,b)`; a value ending in `*` matches by prefix. The keys site, role, cluster, health,
// version (Talos), kubernetes and stage are machine fields; any other key is a label, which a
// machine carries itself or inherits from its cluster (the machine's own value wins). Site and
// labels are read from the machine's effective columns, which the database keeps current.
import { Prisma } from "../db/generated/client";
import { likeText } from "../db/like-text";
import { AppError } from "../errors";

export const FIELD_KEYS = ["site", "role", "cluster", "health", "version", "kubernetes", "stage"] as const;
type FieldKey = (typeof FIELD_KEYS)[number];

export type SelectorTerm =
  | { kind: "exists"; key: string; negated: boolean }
  | { kind: "match"; key: string; values: string[]; negated: boolean };

export type Selector = SelectorTerm[];

const MAX_LENGTH = 2_000;
const KEY = /[A-Za-z0-9][A-Za-z0-9._/-]*/y;
const VALUE = /[A-Za-z0-9*][A-Za-z0-9*._/:+-]*/y;

function fail(text: string, pos: number, what: string): never {
  throw new AppError("BAD_REQUEST", {
    userMessage: `The selector is not valid at character ${pos + 1}: ${what}. Example: role=worker,site in (eu/dk/*),!canary`,
  });
}

/** Parses a selector; throws a BAD_REQUEST AppError naming the position and what was expected. */
export function parseSelector(text: string): Selector {
  if (text.length > MAX_LENGTH) fail(text, MAX_LENGTH, `it is longer than ${MAX_LENGTH} characters`);
  let pos = 0;
  const skip = () => {
    while (text[pos] === " " || text[pos] === "\t") pos++;
  };
  const read = (re: RegExp, what: string): string => {
    skip();
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m)
      fail(text, pos, `expected ${what}${pos < text.length ? `, found "${text[pos]}"` : ", found the end"}`);
    pos += m[0].length;
    return m[0];
  };
  const terms: Selector = [];
  skip();
  if (pos === text.length) return terms;
  for (;;) {
    skip();
    if (text[pos] === "!") {
      pos++;
      terms.push({ kind: "exists", key: read(KEY, "a label key after !"), negated: true });
    } else {
      const key = read(KEY, "a key");
      skip();
      if (text.startsWith("!=", pos)) {
        pos += 2;
        terms.push({ kind: "match", key, values: [read(VALUE, "a value")], negated: true });
      } else if (text[pos] === "=") {
        pos += text[pos + 1] === "=" ? 2 : 1;
        terms.push({ kind: "match", key, values: [read(VALUE, "a value")], negated: false });
      } else if (/^(notin|in)\s*\(/.test(text.slice(pos))) {
        const negated = text.startsWith("notin", pos);
        pos += negated ? 5 : 2;
        skip();
        pos++; // "("
        const values = [read(VALUE, "a value")];
        for (;;) {
          skip();
          if (text[pos] === ",") {
            pos++;
            values.push(read(VALUE, "a value"));
          } else if (text[pos] === ")") {
            pos++;
            break;
          } else fail(text, pos, `expected "," or ")" in the list of values`);
        }
        terms.push({ kind: "match", key, values, negated });
      } else {
        terms.push({ kind: "exists", key, negated: false });
      }
    }
    skip();
    if (pos === text.length) break;
    if (text[pos] !== ",") fail(text, pos, `expected "," between terms, found "${text[pos]}"`);
    pos++;
  }
  for (const t of terms) {
    if (t.kind === "exists" && (FIELD_KEYS as readonly string[]).includes(t.key)) {
      fail(text, text.indexOf(t.key), `"${t.key}" is a machine field, so it needs a value (e.g. ${t.key}=…)`);
    }
  }
  return terms;
}

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
