// Who sent a request: a bearer API token (Authorization header) or a session cookie.

import type { Principal } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";
import { resolveApiToken } from "./api-tokens";
import { resolveSession, sessionTokenFrom } from "./sessions";

export interface RequestCredentials {
  authorization: string | null;
  cookie: string | null;
}

export type AuthMethod = "bearer" | "session" | "none";

export async function principalFromRequest(
  db: PrismaClient,
  creds: RequestCredentials,
): Promise<{ principal: Principal | null; method: AuthMethod }> {
  const bearer = creds.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return { principal: await resolveApiToken(db, bearer), method: "bearer" };
  const session = sessionTokenFrom(creds.cookie);
  if (session) return { principal: await resolveSession(db, session), method: "session" };
  return { principal: null, method: "none" };
}
