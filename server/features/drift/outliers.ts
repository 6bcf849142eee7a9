// Minority groups: in every cluster, site (each level of the path) and the whole fleet, per role, the machines
// that run something most of their peers do not — "3 of 2,940 workers in eu/dk differ: kernel arg
// mitigations=off". Needs no baseline: the majority is the reference. Kept incrementally: adding or removing a
// class of machines updates the value counts of its scopes, and only those scopes are judged again.
import type { ComponentFamily, MachineComponents } from "./fingerprint";
import { familyOf, isClusterScoped } from "./fingerprint";

/** Machines that run the same (same cluster, site, role and components): counted as many, grouped as one. */
export interface OutlierMachine {
  ids: string[];
  cluster: string;
  site: string;
  role: string;
  components: MachineComponents;
}

export type ScopeLevel = "cluster" | "site" | "fleet";

export interface Difference {
  component: string;
  /** The minority's value; null = the component is absent on those machines. */
  value: string | null;
  /** What most machines of the scope run; null = absent there. */
  majority: string | null;
}

export interface OutlierGroup {
  scope: { level: ScopeLevel; name: string };
  role: string;
  machineIds: string[];
  /** Machines of this role in the scope (that reported the compared parts). */
  total: number;
  differences: Difference[];
  summary: string;
}

export interface OutlierOptions {
  /** A value is a minority when at most this share of the scope has it (default 0.25). */
  minorityShare?: number;
  /** Scopes smaller than this are not judged (default 3). */
  minScope?: number;
}

const ABSENT = "\u0000absent";

interface Minority {
  component: string;
  value: string;
  majority: string;
}

interface ClassEntry {
  machine: OutlierMachine;
  scopes: ScopeStats[];
}

interface ScopeStats {
  level: ScopeLevel;
  name: string;
  role: string;
  total: number;
  known: Record<ComponentFamily, number>;
  /** component → value → machines */
  counts: Map<string, Map<string, number>>;
  members: Set<ClassEntry>;
  /** Counts changed since the groups below were computed. */
  dirty: boolean;
  groups: OutlierGroup[];
}

const LEVEL_RANK: Record<ScopeLevel, number> = { fleet: 0, site: 1, cluster: 2 };

/** Differences read in this order: versions, schematic, extensions, kernel arguments, configuration. */
const COMPONENT_ORDER = [
  "talosVersion",
  "kubernetesVersion",
  "schematicId",
  "extension:",
  "kernelArg:",
  "config:",
];
function componentRank(component: string): number {
  for (const [i, p] of COMPONENT_ORDER.entries()) {
    if (p.endsWith(":") ? component.startsWith(p) : component === p) return i;
  }
  return COMPONENT_ORDER.length;
}

function scopesOf(m: OutlierMachine): Array<{ level: ScopeLevel; name: string }> {
  const out: Array<{ level: ScopeLevel; name: string }> = [{ level: "cluster", name: m.cluster }];
  if (m.site) {
    const parts = m.site.split("/");
    for (let i = 1; i <= parts.length; i++) out.push({ level: "site", name: parts.slice(0, i).join("/") });
  }
  out.push({ level: "fleet", name: "" });
  return out;
}

/** Outlier groups of a changing set of machine classes, each keyed by the caller. */
export class OutlierIndex {
  private readonly share: number;
  private readonly minScope: number;
  private readonly classes = new Map<string, ClassEntry>();
  private readonly scopes = new Map<string, ScopeStats>();

  constructor(opts: OutlierOptions = {}) {
    this.share = opts.minorityShare ?? 0.25;
    this.minScope = opts.minScope ?? 3;
  }

  get size(): number {
    return this.classes.size;
  }

  has(key: string): boolean {
    return this.classes.has(key);
  }

  add(key: string, machine: OutlierMachine): void {
    if (this.classes.has(key)) this.remove(key);
    const entry: ClassEntry = { machine, scopes: [] };
    for (const s of scopesOf(machine)) {
      const sk = `${s.level}\u0000${s.name}\u0000${machine.role}`;
      let st = this.scopes.get(sk);
      if (!st) {
        st = {
          ...s,
          role: machine.role,
          total: 0,
          known: { version: 0, extensions: 0, kernelArgs: 0, config: 0 },
          counts: new Map(),
          members: new Set(),
          dirty: true,
          groups: [],
        };
        this.scopes.set(sk, st);
      }
      this.count(st, machine, 1);
      st.members.add(entry);
      entry.scopes.push(st);
    }
    this.classes.set(key, entry);
  }

  remove(key: string): void {
    const entry = this.classes.get(key);
    if (!entry) return;
    this.classes.delete(key);
    for (const st of entry.scopes) {
      this.count(st, entry.machine, -1);
      st.members.delete(entry);
      if (st.members.size === 0) this.scopes.delete(`${st.level}\u0000${st.name}\u0000${st.role}`);
    }
  }

  private count(st: ScopeStats, m: OutlierMachine, sign: 1 | -1): void {
    const n = m.ids.length * sign;
    st.total += n;
    st.dirty = true;
    for (const f of m.components.known) st.known[f] += n;
    for (const [c, v] of m.components.values) {
      if (st.level !== "cluster" && isClusterScoped(c)) continue;
      let byValue = st.counts.get(c);
      if (!byValue) {
        byValue = new Map();
        st.counts.set(c, byValue);
      }
      const next = (byValue.get(v) ?? 0) + n;
      if (next > 0) byValue.set(v, next);
      else {
        byValue.delete(v);
        if (byValue.size === 0) st.counts.delete(c);
      }
    }
  }

  /** Values held by few machines of a scope where one value is held by most (> half). */
  private minorities(st: ScopeStats): Minority[] {
    const out: Minority[] = [];
    for (const [component, byValue] of st.counts) {
      const total = st.known[familyOf(component)];
      if (total < this.minScope) continue;
      let present = 0;
      let majority: [string, number] | undefined;
      for (const e of byValue) {
        present += e[1];
        if (!majority || e[1] > majority[1]) majority = e;
      }
      const absent = total - present;
      if (byValue.size + (absent > 0 ? 1 : 0) < 2 || !majority) continue;
      if (absent > majority[1]) majority = [ABSENT, absent];
      if (majority[1] * 2 <= total) continue;
      for (const [value, n] of byValue) {
        if (value !== majority[0] && n <= total * this.share)
          out.push({ component, value, majority: majority[0] });
      }
      if (absent > 0 && majority[0] !== ABSENT && absent <= total * this.share) {
        out.push({ component, value: ABSENT, majority: majority[0] });
      }
    }
    return out.sort(
      (a, b) =>
        componentRank(a.component) - componentRank(b.component) ||
        (a.component < b.component ? -1 : a.component > b.component ? 1 : 0),
    );
  }

  /** The scope's groups: machines sharing the same minorities, one group per identical set of machines. */
  private judge(st: ScopeStats): OutlierGroup[] {
    const minorities = this.minorities(st);
    if (minorities.length === 0) return [];
    const byIds = new Map<string, { ids: string[]; differences: Difference[] }>();
    const holders = minorities.map(() => [] as string[]);
    for (const entry of st.members) {
      const c = entry.machine.components;
      minorities.forEach((mi, i) => {
        if (!c.known.has(familyOf(mi.component))) return;
        if ((c.values.get(mi.component) ?? ABSENT) !== mi.value) return;
        for (const id of entry.machine.ids) holders[i]?.push(id);
      });
    }
    minorities.forEach((mi, i) => {
      const ids = (holders[i] ?? []).sort();
      if (ids.length === 0) return;
      const key = ids.join(",");
      let g = byIds.get(key);
      if (!g) {
        g = { ids, differences: [] };
        byIds.set(key, g);
      }
      g.differences.push({
        component: mi.component,
        value: mi.value === ABSENT ? null : mi.value,
        majority: mi.majority === ABSENT ? null : mi.majority,
      });
    });
    return [...byIds.values()].map(({ ids, differences }) => {
      const total = st.known[familyOf(differences[0]?.component ?? "talosVersion")];
      return {
        scope: { level: st.level, name: st.name },
        role: st.role,
        machineIds: ids,
        total,
        differences,
        summary: summarise(ids.length, total, st, differences),
      };
    });
  }

  /** Every group, the smallest share of its scope first; only scopes that changed are judged again. */
  groups(): OutlierGroup[] {
    const out: OutlierGroup[] = [];
    for (const st of this.scopes.values()) {
      if (st.dirty) {
        st.groups = this.judge(st);
        st.dirty = false;
      }
      out.push(...st.groups);
    }
    return out.sort(
      (a, b) =>
        a.machineIds.length / a.total - b.machineIds.length / b.total ||
        b.total - a.total ||
        LEVEL_RANK[a.scope.level] - LEVEL_RANK[b.scope.level] ||
        (a.scope.name < b.scope.name ? -1 : a.scope.name > b.scope.name ? 1 : 0) ||
        (a.role < b.role ? -1 : a.role > b.role ? 1 : 0) ||
        ((a.machineIds[0] ?? "") < (b.machineIds[0] ?? "") ? -1 : 1),
    );
  }
}

/** The outlier groups of a set of machines (or classes of machines) at once. */
export function findOutliers(machines: readonly OutlierMachine[], opts: OutlierOptions = {}): OutlierGroup[] {
  const index = new OutlierIndex(opts);
  machines.forEach((m, i) => {
    index.add(String(i), m);
  });
  return index.groups();
}

const fmt = new Intl.NumberFormat("en");

function scopeWords(st: Pick<ScopeStats, "level" | "name">): string {
  if (st.level === "fleet") return "in the fleet";
  if (st.level === "cluster") return `in cluster ${st.name}`;
  return `in ${st.name}`;
}

/** Image Factory schematic ids (64 hex characters) read by their first twelve, as Image Factory shows them. */
const abbreviateIds = (text: string) => text.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, "$1…");

/** "kernel arg mitigations=off", "without extension iscsi-tools", "Talos v1.12.4 (most: v1.13.9)". */
export function describeDifference(d: Difference): string {
  return abbreviateIds(differenceWords(d));
}

function differenceWords(d: Difference): string {
  const c = d.component;
  if (c === "talosVersion" || c === "kubernetesVersion" || c === "schematicId") {
    const what = c === "talosVersion" ? "Talos" : c === "kubernetesVersion" ? "Kubernetes" : "schematic";
    return `${what} ${d.value ?? "unknown"} (most: ${d.majority ?? "none"})`;
  }
  if (c.startsWith("extension:")) {
    return d.value === null ? `without extension ${c.slice(10)}` : `extension ${c.slice(10)}`;
  }
  if (c.startsWith("kernelArg:")) {
    if (d.value === null) return `without kernel arg ${d.majority ?? c.slice(10)}`;
    return `kernel arg ${d.value}${d.majority ? ` (most: ${d.majority})` : ""}`;
  }
  const field = c.slice("config:".length).replace(/^v1alpha1:/, "");
  if (d.value === null) return `config ${field} not set (most: ${d.majority})`;
  return `config ${field} = ${d.value}${d.majority ? ` (most: ${d.majority})` : " (most: not set)"}`;
}

function summarise(
  n: number,
  total: number,
  st: Pick<ScopeStats, "level" | "name" | "role">,
  differences: Difference[],
): string {
  const role = st.role === "controlplane" ? "control planes" : `${st.role}s`;
  const shown = differences.slice(0, 3).map(describeDifference).join("; ");
  const more = differences.length > 3 ? `; and ${differences.length - 3} more` : "";
  return `${fmt.format(n)} of ${fmt.format(total)} ${role} ${scopeWords(st)} differ: ${shown}${more}`;
}
