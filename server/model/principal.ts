// Who is asking: a signed-in user or an API token, with the role grants they act under.
import { AppError } from "./errors";
import { type Permission, type Role, roleHas, rolesWith } from "./permissions";

export interface Grant {
  role: Role;
  /** "" = the whole fleet; "site:<prefix>" or "cluster:<label selector>" otherwise. */
  scope: string;
}

export interface Principal {
  kind: "user" | "token";
  userId: string;
  username: string;
  /** The token's id when kind is "token". */
  tokenId?: string;
  /** The session's id when kind is "user" (for sign-out). */
  sessionId?: string;
  grants: Grant[];
}

/** How audit entries name the principal. */
export function actorOf(p: Principal | null): string {
  if (!p) return "anonymous";
  return p.kind === "token" ? `${p.username} (token ${p.tokenId?.slice(0, 8)})` : p.username;
}

/** The scopes under which the principal holds a permission; empty when it does not. */
export function scopesFor(p: Principal, permission: Permission): string[] {
  return [...new Set(p.grants.filter((g) => roleHas(g.role, permission)).map((g) => g.scope))];
}

export function can(p: Principal | null, permission: Permission): boolean {
  return p !== null && scopesFor(p, permission).length > 0;
}

/** Throws the error a person should see when they lack a permission. */
export function assertCan(p: Principal | null, permission: Permission): asserts p is Principal {
  if (!p) {
    throw new AppError("UNAUTHORIZED", { userMessage: "Sign in to continue." });
  }
  if (!can(p, permission)) {
    const needed = rolesWith(permission).join(" or ");
    throw new AppError("FORBIDDEN", {
      message: `${p.username} lacks ${permission}`,
      userMessage: `This needs the ${needed} role. Ask an administrator if you should have it.`,
    });
  }
}
