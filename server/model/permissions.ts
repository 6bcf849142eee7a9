// Every permission a procedure or HTTP route can require, and which roles hold it. Deny by
// default: a procedure without a declared permission is refused (server/api/trpc/init.ts).

export const roles = ["viewer", "operator", "approver", "admin"] as const;
export type Role = (typeof roles)[number];

/** What each permission allows, and the roles that hold it. */
export const permissionRoles = {
  /** Read the fleet, clusters, machines, drift and rollouts within one's scope. */
  "fleet.read": ["viewer", "operator", "approver", "admin"],
  /** Stream a machine's logs and events. */
  "machines.stream": ["operator", "admin"],
  /** Restart services, edit labels and sites. */
  "machines.operate": ["operator", "admin"],
  /** Create, change and run rollouts. */
  "rollouts.run": ["operator", "admin"],
  /** Approve or reject rollout waves. */
  "rollouts.approve": ["approver", "admin"],
  /** Read the audit trail. */
  "audit.read": ["admin"],
  /** Manage one's own account: password, API tokens (a token's role is at most one's own). */
  "account.self": ["viewer", "operator", "approver", "admin"],
  /** Users, roles, Talos credentials, baselines, settings, everyone's tokens. */
  "admin.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionRoles;
export const permissions = Object.keys(permissionRoles) as Permission[];

export function rolesWith(permission: Permission): readonly Role[] {
  return permissionRoles[permission];
}

export function roleHas(role: Role, permission: Permission): boolean {
  return (permissionRoles[permission] as readonly Role[]).includes(role);
}

/** Every permission a role holds. */
export function permissionsOf(role: Role): Permission[] {
  return permissions.filter((p) => roleHas(role, p));
}

/** A role "covers" another when it holds every permission the other holds. */
export function roleCovers(holder: Role, wanted: Role): boolean {
  return permissionsOf(wanted).every((p) => roleHas(holder, p));
}
