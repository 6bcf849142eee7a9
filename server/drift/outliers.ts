// Minority groups: in every cluster, site (each level of the path) and the whole fleet, per role, the machines
// that run something most of their peers do not — "3 of 2,940 workers in eu/dk differ: kernel arg
// mitigations=off". Needs no baseline: the majority is the reference.
import type { ComponentFamily, MachineComponents } from "./fingerprint";
import { familyOf, isClusterScoped } from "./fingerprint";

export interface OutlierMachine {
  id: string;
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

interface ScopeStats {
  level: ScopeLevel;
  name: string;
  role: string;
  total: number;
  known: Record<ComponentFamily, number>;
  counts: Map<string, Map<string, number>>;
  minorities?: Array<{ component: string; value: string; majority: string }>;
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

export function findOutliers(machines: readonly OutlierMachine[], opts: OutlierOptions = {}): OutlierGroup[] {
  const share = opts.minorityShare ?? 0.25;
  const minScope = opts.minScope ?? 3;
  const scopes = new Map<string, ScopeStats>();
  const machineScopes = new Map<OutlierMachine, ScopeStats[]>();
  // 1. count values per scope and role
  for (const m of machines) {
    const list: ScopeStats[] = [];
    for (const s of scopesOf(m)) {
      const key = `${s.level}\u0000${s.name}\u0000${m.role}`;
      let st = scopes.get(key);
      if (!st) {
        st = {
          ...s,
          role: m.role,
          total: 0,
          known: { version: 0, extensions: 0, kernelArgs: 0, config: 0 },
          counts: new Map(),
        };
        scopes.set(key, st);
      }
      st.total++;
      for (const f of m.components.known) st.known[f]++;
      for (const [c, v] of m.components.values) {
        if (s.level !== "cluster" && isClusterScoped(c)) continue;
        let byValue = st.counts.get(c);
        if (!byValue) {
          byValue = new Map();
          st.counts.set(c, byValue);
        }
        byValue.set(v, (byValue.get(v) ?? 0) + 1);
      }
      list.push(st);
    }
    machineScopes.set(m, list);
  }
  // 2. per scope and component: a clear majority (> half) and values held by few
  for (const st of scopes.values()) {
    for (const [component, byValue] of st.counts) {
      const total = st.known[familyOf(component)];
      if (total < minScope) continue;
      let present = 0;
      for (const n of byValue.values()) present += n;
      const all: Array<[string, number]> = [...byValue];
      if (total - present > 0) all.push([ABSENT, total - present]);
      if (all.length < 2) continue;
      let majority = all[0] as [string, number];
      for (const e of all) if (e[1] > majority[1]) majority = e;
      if (majority[1] * 2 <= total) continue;
      for (const [value, n] of all) {
        if (value === majority[0] || n > total * share) continue;
        st.minorities ??= [];
        st.minorities.push({ component, value, majority: majority[0] });
      }
    }
  }
  // 3. the machines holding each minority value, grouped by identical machine sets
  const groups = new Map<string, { st: ScopeStats; ids: string[]; differences: Difference[] }>();
  const holders = new Map<string, string[]>();
  for (const m of machines) {
    for (const st of machineScopes.get(m) ?? []) {
      for (const mi of st.minorities ?? []) {
        if (!m.components.known.has(familyOf(mi.component))) continue;
        const v = m.components.values.get(mi.component) ?? ABSENT;
        if (v !== mi.value) continue;
        const key = `${st.level}\u0000${st.name}\u0000${st.role}\u0000${mi.component}\u0000${mi.value}`;
        let ids = holders.get(key);
        if (!ids) {
          ids = [];
          holders.set(key, ids);
        }
        ids.push(m.id);
      }
    }
  }
  for (const st of scopes.values()) {
    for (const mi of st.minorities ?? []) {
      const ids =
        holders.get(`${st.level}\u0000${st.name}\u0000${st.role}\u0000${mi.component}\u0000${mi.value}`) ??
        [];
      if (ids.length === 0) continue;
      const groupKey = `${st.level}\u0000${st.name}\u0000${st.role}\u0000${ids.join(",")}`;
      let g = groups.get(groupKey);
      if (!g) {
        g = { st, ids, differences: [] };
        groups.set(groupKey, g);
      }
      g.differences.push({
        component: mi.component,
        value: mi.value === ABSENT ? null : mi.value,
        majority: mi.majority === ABSENT ? null : mi.majority,
      });
    }
  }
  return [...groups.values()]
    .map(({ st, ids, differences }) => {
      const total = st.known[familyOf(differences[0]?.component ?? "talosVersion")];
      return {
        scope: { level: st.level, name: st.name },
        role: st.role,
        machineIds: ids,
        total,
        differences,
        summary: summarise(ids.length, total, st, differences),
      };
    })
    .sort((a, b) => a.machineIds.length / a.total - b.machineIds.length / b.total || b.total - a.total);
}

const fmt = new Intl.NumberFormat("en");

function scopeWords(st: ScopeStats): string {
  if (st.level === "fleet") return "in the fleet";
  if (st.level === "cluster") return `in cluster ${st.name}`;
  return `in ${st.name}`;
}

/** "kernel arg mitigations=off", "without extension iscsi-tools", "Talos v1.12.4 (most: v1.13.9)". */
export function describeDifference(d: Difference): string {
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

function summarise(n: number, total: number, st: ScopeStats, differences: Difference[]): string {
  const role = st.role === "controlplane" ? "control planes" : `${st.role}s`;
  const shown = differences.slice(0, 3).map(describeDifference).join("; ");
  const more = differences.length > 3 ? `; and ${differences.length - 3} more` : "";
  return `${fmt.format(n)} of ${fmt.format(total)} ${role} ${scopeWords(st)} differ: ${shown}${more}`;
}
