// Browser sessions stored server-side: the cookie carries a random token, the database its hash,
// with an idle expiry (since last use) and an absolute one (since sign-in).
import { parse, serialize } from "cookie";
import type { Grant, Principal } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";
import { env } from "../../platform/env";
import { hashSecret, newSecret } from "./tokens";

export const SESSION_COOKIE = "minos_session";

/** How often last-seen is written back: not on every request, to spare the database. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export function sessionPolicy(): SessionPolicy {
  const e = env();
  return { idleMs: e.MINOS_SESSION_IDLE_MINUTES * 60_000, maxMs: e.MINOS_SESSION_MAX_HOURS * 3_600_000 };
}

export async function createSession(
  db: PrismaClient,
  opts: { userId: string; address: string | null; userAgent: string | null; policy?: SessionPolicy },
): Promise<{ token: string; expiresAt: Date }> {
  const policy = opts.policy ?? sessionPolicy();
  const token = newSecret();
  const expiresAt = new Date(Date.now() + policy.maxMs);
  await db.session.create({
    data: {
      tokenHash: hashSecret(token),
      userId: opts.userId,
      expiresAt,
      address: opts.address,
      userAgent: opts.userAgent?.slice(0, 400) ?? null,
    },
  });
  return { token, expiresAt };
}

interface SessionRow {
  id: string;
  userId: string;
  lastSeenAt: Date;
  expiresAt: Date;
  username: string;
  disabled: boolean;
  grants: Grant[];
}

/** The principal behind a session token, or null when unknown, expired, idle too long or disabled. */
export async function resolveSession(
  db: PrismaClient,
  token: string,
  policy: SessionPolicy = sessionPolicy(),
): Promise<Principal | null> {
  // Every request asks this: one statement (session, user and grants), not one per relation.
  const [session] = await db.$queryRaw<SessionRow[]>`
    SELECT s.id, s.user_id AS "userId", s.last_seen_at AS "lastSeenAt", s.expires_at AS "expiresAt",
           u.username, u.disabled,
           COALESCE((SELECT json_agg(json_build_object('role', g.role, 'scope', g.scope))
                     FROM role_grant g WHERE g.user_id = u.id), '[]'::json) AS grants
    FROM session s JOIN app_user u ON u.id = s.user_id
    WHERE s.token_hash = ${hashSecret(token)}`;
  if (!session) return null;
  const now = Date.now();
  const idleExpired = now - session.lastSeenAt.getTime() > policy.idleMs;
  if (session.expiresAt.getTime() <= now || idleExpired || session.disabled) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.session.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
  }
  return {
    kind: "user",
    userId: session.userId,
    username: session.username,
    sessionId: session.id,
    grants: session.grants,
  };
}

export async function deleteSession(db: PrismaClient, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}

/** The Set-Cookie value for a session (Secure when served over HTTPS). */
export function sessionCookie(token: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  return serialize(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: opts.secure,
    maxAge: Math.max(0, Math.floor(opts.maxAgeSeconds)),
  });
}

/** The session token from a Cookie header, if any. */
export function sessionTokenFrom(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  return parse(cookieHeader)[SESSION_COOKIE] ?? null;
}
