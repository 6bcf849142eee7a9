// Principals for tests: a user holding the given grants (no database row needed for routers that
// only check permissions).
import type { Grant, Principal } from "../model/principal";

export function principalWith(username: string, ...grants: (Grant | Grant["role"])[]): Principal {
  return {
    kind: "user",
    userId: crypto.randomUUID(),
    username,
    grants: grants.map((g) => (typeof g === "string" ? { role: g, scope: "" } : g)),
  };
}
