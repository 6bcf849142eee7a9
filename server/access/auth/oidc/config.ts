// Single sign-on settings, read from the validated environment: null when OIDC is not configured.

import type { RoleMapEntry } from "../../../model/oidc-role-map";
import { type Env, env } from "../../../platform/env";

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  /** Absent for a public client, which proves itself with PKCE alone. */
  clientSecret?: string;
  /** Absent: `<origin of the request>/api/auth/oidc/callback`. */
  redirectUrl?: string;
  scopes: string[];
  groupsClaim: string;
  roleMap: RoleMapEntry[];
  label: string;
}

export const CALLBACK_PATH = "/api/auth/oidc/callback";
export const DEFAULT_LABEL = "Sign in with SSO";

export function oidcSettings(e: Env = env()): OidcSettings | null {
  if (!e.MINOS_OIDC_ISSUER || !e.MINOS_OIDC_CLIENT_ID || !e.MINOS_OIDC_ROLE_MAP) return null;
  return {
    issuer: new URL(e.MINOS_OIDC_ISSUER),
    clientId: e.MINOS_OIDC_CLIENT_ID,
    clientSecret: e.MINOS_OIDC_CLIENT_SECRET,
    redirectUrl: e.MINOS_OIDC_REDIRECT_URL,
    scopes: e.MINOS_OIDC_SCOPES ?? ["openid", "profile", "email", "groups"],
    groupsClaim: e.MINOS_OIDC_GROUPS_CLAIM ?? "groups",
    roleMap: e.MINOS_OIDC_ROLE_MAP,
    label: e.MINOS_OIDC_LABEL ?? DEFAULT_LABEL,
  };
}
