// Label and field selectors as the API server parses them (k8s.io/apimachinery/pkg/labels, pkg/fields).
import type { KubeObject } from "./objects";

export class SelectorError extends Error {}

type Requirement = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!"; values: string[] };

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

export function parseLabelSelector(s: string | null): Requirement[] {
  if (!s) return [];
  return splitTerms(s).map((term) => {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m)
      return {
        key: m[1] ?? "",
        op: m[2] as "in" | "notin",
        values: (m[3] ?? "")
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean),
      };
    m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s,]*)$/.exec(term);
    if (m) return { key: m[1] ?? "", op: m[2] === "!=" ? "!=" : "=", values: [m[3] ?? ""] };
    m = /^!\s*([^\s!=]+)$/.exec(term);
    if (m) return { key: m[1] ?? "", op: "!", values: [] };
    m = /^([^\s!=(),]+)$/.exec(term);
    if (m) return { key: m[1] ?? "", op: "exists", values: [] };
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const v = l[r.key];
    switch (r.op) {
      case "=":
        return v === r.values[0];
      case "!=":
        return v !== r.values[0];
      case "in":
        return v !== undefined && r.values.includes(v);
      case "notin":
        return v === undefined || !r.values.includes(v);
      case "exists":
        return v !== undefined;
      case "!":
        return v === undefined;
      default:
        return false;
    }
  });
}

/** A `metav1.LabelSelector` (matchLabels, matchExpressions); empty matches nothing, as PDBs treat it. */
export function labelSelectorMatches(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
      }
    | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({
    key,
    op: "=",
    values: [v],
  }));
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" }[e.operator];
    if (!op) return false;
    reqs.push({ key: e.key, op: op as Requirement["op"], values: e.values ?? [] });
  }
  if (reqs.length === 0) return false;
  return matchesLabels(reqs, labels);
}

type FieldReq = { field: string; value: string; negate: boolean };

/** Fields each resource can be selected on, as the API server registers them (others: 400). */
const FIELDS: Record<string, Record<string, (o: KubeObject) => string>> = {
  pods: {
    "spec.nodeName": (o) => o.spec?.nodeName ?? "",
    "spec.restartPolicy": (o) => o.spec?.restartPolicy ?? "",
    "spec.schedulerName": (o) => o.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (o) => o.spec?.serviceAccountName ?? "",
    "spec.hostNetwork": (o) => String(o.spec?.hostNetwork ?? false),
    "status.phase": (o) => o.status?.phase ?? "",
    "status.podIP": (o) => o.status?.podIP ?? "",
    "status.nominatedNodeName": (o) => o.status?.nominatedNodeName ?? "",
  },
  nodes: { "spec.unschedulable": (o) => String(o.spec?.unschedulable ?? false) },
  namespaces: { "status.phase": (o) => o.status?.phase ?? "" },
};

export function parseFieldSelector(resource: string, s: string | null): FieldReq[] {
  if (!s) return [];
  return splitTerms(s).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const field = m[1] ?? "";
    if (field !== "metadata.name" && field !== "metadata.namespace" && !FIELDS[resource]?.[field]) {
      throw new SelectorError(`field label not supported: ${field}`);
    }
    return { field, value: m[3] ?? "", negate: m[2] === "!=" };
  });
}

export function matchesFields(resource: string, reqs: FieldReq[], o: KubeObject): boolean {
  return reqs.every((r) => {
    const get =
      r.field === "metadata.name"
        ? o.metadata.name
        : r.field === "metadata.namespace"
          ? (o.metadata.namespace ?? "")
          : (FIELDS[resource]?.[r.field]?.(o) ?? "");
    return (get === r.value) !== r.negate;
  });
}
