// Administrators are fleet-wide: what they manage (users, Talos credentials, baselines, the audit trail)
// belongs to no site, so an admin limited to a site could grant itself, or anyone, the whole fleet. A
// scope on the admin role is refused wherever a grant is made: the API, the admin CLI, tokens and the
// single sign-on role map. Site administration is operator and approver in that site.

export const ADMIN_SCOPE_REFUSED =
  "the admin role is always fleet-wide (it manages users, Talos credentials and the audit trail, which belong to no site): give admin without a scope, or give operator and approver in that scope";

/** Whether a grant of `role` in `scope` is allowed by this rule. */
export function grantAllowed(g: { role: string; scope: string }): boolean {
  return g.role !== "admin" || g.scope === "";
}
