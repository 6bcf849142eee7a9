// Outlier groups among the machines in a reader's scope, from the database. Machines that run the same — same
// cluster, site, role, versions and reading fingerprint — are one class: Postgres groups them (one pass over the
// machine rows, no configuration read) and the components of each distinct fingerprint are stored once. Per
// scope set an OutlierIndex keeps the value counts of every cluster, site and fleet scope: each call brings it
// up to date with the classes that changed since the last (added, removed, machines moved between classes),
// and only the scopes those touch are judged again; with nothing changed the last groups are returned as they
// are. So the groups are always current. Each group has a key, stable while it exists, that the machines list
// filters by.
import { createHash } from "node:crypto";
import { machineScopeSql } from "../../access/auth/scope-sql";
import type { PrismaClient } from "../../platform/db/client";
import { Prisma } from "../../platform/db/generated/client";
import { type MachineComponents, withVersions } from "./fingerprint";
import { backfillFingerprints, fingerprintComponents } from "./fingerprint-store";
import { type OutlierGroup, OutlierIndex } from "./outliers";

export interface OutlierGroupView extends OutlierGroup {
  /** Names the group (scope, role and differences) for links: `/machines?outlier=<key>`. */
  key: string;
  /** Hostnames of the first 50 machines, in the order of machineIds. */
  hostnames: string[];
  /** The narrower scopes where the same machines stand out the same way. */
  alsoIn: string[];
}

interface ClassRow {
  cluster: string;
  site: string;
  role: string;
  talos: string;
  kube: string;
  fingerprint: string | null;
  /** Machines of the class with a drift reading (a reading without a fingerprint yet needs a backfill). */
  read: number;
  /** Its machines: how many, and the sum of their ids' hashes (a machine moving in or out changes it). */
  n: number;
  hash: string;
}

const HOSTNAMES_SHOWN = 50;

/** The classes of identical machines in scope (machines not removed), in a stable order. */
async function machineClasses(db: PrismaClient, scopes: string[]): Promise<ClassRow[]> {
  const rows = await db.$queryRaw<ClassRow[]>(Prisma.sql`
    WITH g AS (
      SELECT m.cluster_id, m.effective_site AS site, m.role, m.talos_version AS talos,
             m.kubernetes_version AS kube, s.fingerprint, count(s.machine_id)::int AS read,
             count(*)::int AS n, sum(hashtext(m.id::text))::text AS hash
      FROM machine m
      LEFT JOIN machine_drift_state s ON s.machine_id = m.id
      WHERE m.removed_at IS NULL AND ${machineScopeSql(scopes, "m")}
      GROUP BY 1, 2, 3, 4, 5, 6)
    SELECT c.name AS cluster, g.site, g.role::text AS role, g.talos, g.kube, g.fingerprint, g.read, g.n, g.hash
    FROM g JOIN cluster c ON c.id = g.cluster_id`);
  return rows.sort((x, y) => (classKey(x) < classKey(y) ? -1 : 1));
}

const classKey = (r: Omit<ClassRow, "read" | "n" | "hash">) =>
  `${r.cluster}\u0000${r.site}\u0000${r.role}\u0000${r.talos}\u0000${r.kube}\u0000${r.fingerprint ?? ""}`;

/** Above this many changed classes, every machine's class is read rather than only the changed ones'. */
const FEW_CLASSES = 200;

/** The machine ids of these classes, by class key. */
async function classMembers(
  db: PrismaClient,
  scopes: string[],
  classes: ClassRow[],
): Promise<Map<string, string[]>> {
  const only =
    classes.length > FEW_CLASSES
      ? Prisma.sql`TRUE`
      : Prisma.sql`(c.name, m.effective_site, m.role::text, m.talos_version, m.kubernetes_version,
          coalesce(s.fingerprint, '')) IN (${Prisma.join(
            classes.map(
              (k) =>
                Prisma.sql`(${k.cluster}, ${k.site}, ${k.role}, ${k.talos}, ${k.kube}, ${k.fingerprint ?? ""})`,
            ),
          )})`;
  const rows = await db.$queryRaw<Array<Omit<ClassRow, "read" | "n" | "hash"> & { id: string }>>(Prisma.sql`
    SELECT c.name AS cluster, m.effective_site AS site, m.role::text AS role, m.talos_version AS talos,
           m.kubernetes_version AS kube, s.fingerprint, m.id::text AS id
    FROM machine m
    JOIN cluster c ON c.id = m.cluster_id
    LEFT JOIN machine_drift_state s ON s.machine_id = m.id
    WHERE m.removed_at IS NULL AND ${machineScopeSql(scopes, "m")} AND ${only}`);
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const key = classKey(r);
    const ids = out.get(key);
    if (ids) ids.push(r.id);
    else out.set(key, [r.id]);
  }
  for (const ids of out.values()) ids.sort();
  return out;
}

/** A machine with no reading yet: only its versions are known. */
const NOTHING_READ: MachineComponents = { values: new Map(), known: new Set(["version"]) };

export function groupKey(g: Pick<OutlierGroup, "scope" | "role" | "differences">): string {
  return createHash("sha256")
    .update(JSON.stringify([g.scope.level, g.scope.name, g.role, g.differences]))
    .digest("base64url")
    .slice(0, 16);
}

/** What is kept per scope set: the index of classes, and the last groups with the digest of their classes. */
interface ScopeSetState {
  index: OutlierIndex;
  /** class key → its count and id hash: a class whose machines changed is replaced. */
  members: Map<string, string>;
  digest: string;
  groups: OutlierGroupView[];
  /** When the classes were last compared with the database. */
  checkedAt: number;
  /** Updates of one scope set run one after another. */
  queue: Promise<unknown>;
}

/** Per scope set, the least recently used first (a Map keeps insertion order). */
const states = new Map<string, ScopeSetState>();
/** The fleet-wide index of 10,000 machines holds about 50 MB of counts (docs/benchmarks.md); a scoped one, its
 * share of that. Only the most recently used are kept; another is built again on its first call. */
const KEPT_SCOPE_SETS = 8;

/** Brings the index up to date with the classes: removed and changed classes out, new ones in. False when a class
 * changed again while its machines were read (then the next call looks again). */
async function sync(
  db: PrismaClient,
  scopes: string[],
  state: ScopeSetState,
  classes: ClassRow[],
): Promise<boolean> {
  const signature = (c: ClassRow) => `${c.n}:${c.hash}`;
  const next = new Set(classes.map(classKey));
  for (const key of state.members.keys()) {
    if (!next.has(key)) {
      state.index.remove(key);
      state.members.delete(key);
    }
  }
  const changed = classes.filter((c) => state.members.get(classKey(c)) !== signature(c));
  if (changed.length === 0) return true;
  const [components, members] = await Promise.all([
    fingerprintComponents(
      db,
      changed.flatMap((c) => (c.fingerprint ? [c.fingerprint] : [])),
    ),
    classMembers(db, scopes, changed),
  ]);
  let consistent = true;
  for (const c of changed) {
    const key = classKey(c);
    const ids = members.get(key) ?? [];
    if (ids.length !== c.n) consistent = false;
    if (ids.length === 0) {
      state.index.remove(key);
      state.members.delete(key);
      continue;
    }
    state.index.add(key, {
      ids,
      cluster: c.cluster,
      site: c.site,
      role: c.role,
      components: withVersions(
        (c.fingerprint ? components.get(c.fingerprint) : undefined) ?? NOTHING_READ,
        c.talos || null,
        c.kube || null,
      ),
    });
    state.members.set(key, ids.length === c.n ? signature(c) : "");
  }
  return consistent;
}

/** The index's groups as the overview shows them: the same machines differing the same way once, at the widest
 * scope where they stand out, with a key and the first hostnames. */
async function viewGroups(db: PrismaClient, index: OutlierIndex): Promise<OutlierGroupView[]> {
  const seen = new Map<string, OutlierGroupView>();
  for (const g of index.groups()) {
    const same = `${g.role}\u0000${g.machineIds.join(",")}\u0000${JSON.stringify(g.differences)}`;
    const where =
      g.scope.level === "fleet"
        ? "the fleet"
        : g.scope.level === "cluster"
          ? `cluster ${g.scope.name}`
          : g.scope.name;
    const first = seen.get(same);
    if (first) {
      first.alsoIn.push(where);
      continue;
    }
    seen.set(same, { ...g, key: groupKey(g), hostnames: [], alsoIn: [] });
  }
  const groups = [...seen.values()];
  const shown = [...new Set(groups.flatMap((g) => g.machineIds.slice(0, HOSTNAMES_SHOWN)))];
  const names = new Map(
    (await db.machine.findMany({ where: { id: { in: shown } }, select: { id: true, hostname: true } })).map(
      (m) => [m.id, m.hostname],
    ),
  );
  for (const g of groups) {
    g.hostnames = g.machineIds.slice(0, HOSTNAMES_SHOWN).map((id) => names.get(id) ?? id);
  }
  return groups;
}

async function update(db: PrismaClient, scopes: string[], state: ScopeSetState): Promise<OutlierGroupView[]> {
  state.checkedAt = Date.now();
  let classes = await machineClasses(db, scopes);
  if (classes.some((c) => c.fingerprint === null && c.read > 0)) {
    await backfillFingerprints(db);
    classes = await machineClasses(db, scopes);
  }
  const digest = createHash("sha256")
    .update(classes.map((c) => `${classKey(c)}\u0001${c.n}:${c.hash}`).join("\n"))
    .digest("hex");
  if (digest === state.digest) return state.groups;
  try {
    const consistent = await sync(db, scopes, state, classes);
    state.groups = await viewGroups(db, state.index);
    state.digest = consistent ? digest : "";
  } catch (err) {
    // start over next time rather than keep a half-updated index
    states.delete([...scopes].sort().join("\n"));
    throw err;
  }
  return state.groups;
}

/**
 * Outlier groups among the machines in scope, current with the database (see the file's head); `maxAgeMs` accepts
 * groups checked that recently without asking the database again.
 */
export async function outlierGroups({
  db,
  scopes,
  maxAgeMs,
}: {
  db: PrismaClient;
  scopes: string[];
  maxAgeMs?: number;
}): Promise<OutlierGroupView[]> {
  const key = [...scopes].sort().join("\n");
  let state = states.get(key);
  if (state) {
    states.delete(key);
    states.set(key, state);
  } else {
    for (const old of states.keys()) {
      if (states.size < KEPT_SCOPE_SETS) break;
      states.delete(old);
    }
    state = {
      index: new OutlierIndex(),
      members: new Map(),
      digest: "",
      groups: [],
      checkedAt: 0,
      queue: Promise.resolve(),
    };
    states.set(key, state);
  }
  const s = state;
  if (maxAgeMs && s.digest && Date.now() - s.checkedAt < maxAgeMs) return s.groups;
  const run = s.queue.then(() => update(db, scopes, s));
  s.queue = run.catch(() => undefined);
  return run;
}

/** How stale the machines list's outlier filter may be: less than its own refresh (5 s). */
const LIST_MAX_AGE_MS = 2_000;

/** One outlier group as the reader sees it (for the machines list's filter); null when it no longer exists. */
export async function outlierGroupByKey({
  db,
  scopes,
  key,
}: {
  db: PrismaClient;
  scopes: string[];
  key: string;
}): Promise<OutlierGroupView | null> {
  const groups = await outlierGroups({ db, scopes, maxAgeMs: LIST_MAX_AGE_MS });
  return groups.find((g) => g.key === key) ?? null;
}
