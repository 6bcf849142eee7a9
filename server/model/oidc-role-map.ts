// OIDC groups → Minos roles: MINOS_OIDC_ROLE_MAP ("platform-admins=admin;dk-viewers=viewer@site:eu/dk/*")
// parsed into entries, and the grants a set of groups earns at sign-in.
import { ADMIN_SCOPE_REFUSED, grantAllowed } from "./admin-scope";
import { type Role, roles } from "./permissions";
import type { Grant } from "./principal";
import { scopeSchema } from "./scope";

export interface RoleMapEntry {
  group: string;
  role: Role;
  /** "" = the whole fleet; otherwise a scope as server/model/scope.ts defines it. */
  scope: string;
}

export type RoleMapParse = { ok: true; entries: RoleMapEntry[] } | { ok: false; problems: string[] };

const EXAMPLE = "platform-admins=admin;dk-viewers=viewer@site:eu/dk/*";

/**
 * Parses "group=role[@scope];…". The group is everything before the first "=", so it may hold spaces,
 * slashes (Keycloak's "/team/sub") or GUIDs (Entra ID) but not "=" or ";"; the scope may hold "=".
 */
export function parseRoleMap(text: string): RoleMapParse {
  const problems: string[] = [];
  const entries: RoleMapEntry[] = [];
  const items = text
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) {
    return { ok: false, problems: [`must map at least one group to a role, such as ${EXAMPLE}`] };
  }
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq < 0) {
      problems.push(`entry "${item}" needs the form group=role or group=role@scope (e.g. ${EXAMPLE})`);
      continue;
    }
    const group = item.slice(0, eq).trim();
    const rest = item.slice(eq + 1).trim();
    const at = rest.indexOf("@");
    const role = (at < 0 ? rest : rest.slice(0, at)).trim();
    const scope = at < 0 ? "" : rest.slice(at + 1).trim();
    if (group === "") {
      problems.push(`entry "${item}" has no group name before "="`);
      continue;
    }
    if (!(roles as readonly string[]).includes(role)) {
      problems.push(`entry "${item}" has an unknown role "${role}": use one of ${roles.join(", ")}`);
      continue;
    }
    if (at >= 0 && scope === "") {
      problems.push(`entry "${item}" has "@" but no scope after it: leave out "@" for the whole fleet`);
      continue;
    }
    const checked = scopeSchema.safeParse(scope);
    if (!checked.success) {
      problems.push(`entry "${item}" has a bad scope "${scope}": it ${checked.error.issues[0]?.message}`);
      continue;
    }
    if (!grantAllowed({ role, scope })) {
      problems.push(`entry "${item}" is refused: ${ADMIN_SCOPE_REFUSED}`);
      continue;
    }
    entries.push({ group, role: role as Role, scope });
  }
  return problems.length ? { ok: false, problems } : { ok: true, entries };
}

/** The grants the groups earn; empty when none of them is in the map. Groups match exactly. */
export function grantsForGroups(map: readonly RoleMapEntry[], groups: readonly string[]): Grant[] {
  const held = new Set(groups);
  const grants = new Map<string, Grant>();
  for (const e of map) {
    if (held.has(e.group)) grants.set(`${e.role}\u0000${e.scope}`, { role: e.role, scope: e.scope });
  }
  return [...grants.values()];
}

/** The groups claim as a list of strings: providers send an array, some a single string. */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}
