import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createSession, resolveSession, sessionCookie, sessionTokenFrom } from "./sessions";
import { hashSecret } from "./tokens";

let database: TestDatabase;
let userId: string;
const policy = { idleMs: 60 * 60_000, maxMs: 12 * 3_600_000 };

beforeAll(async () => {
  database = await createTestDatabase();
  const u = await database.db.user.create({
    data: { username: "sam", grants: { create: [{ role: "operator", scope: "site:eu/dk/*" }] } },
  });
  userId = u.id;
});
afterAll(() => database.drop());

describe("sessions", () => {
  it("resolve to the user with their grants, and store only the token's hash", async () => {
    const { token } = await createSession(database.db, {
      userId,
      address: "127.0.0.1",
      userAgent: "test",
      policy,
    });
    const p = await resolveSession(database.db, token, policy);
    expect(p).toMatchObject({
      kind: "user",
      username: "sam",
      grants: [{ role: "operator", scope: "site:eu/dk/*" }],
    });
    const rows = await database.db.session.findMany({ where: { userId } });
    expect(rows.some((r) => r.tokenHash === hashSecret(token))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("end after the idle time without use", async () => {
    const { token } = await createSession(database.db, { userId, address: null, userAgent: null, policy });
    await database.db.session.updateMany({
      where: { tokenHash: hashSecret(token) },
      data: { lastSeenAt: new Date(Date.now() - policy.idleMs - 1_000) },
    });
    expect(await resolveSession(database.db, token, policy)).toBeNull();
    expect(await database.db.session.count({ where: { tokenHash: hashSecret(token) } })).toBe(0);
  });

  it("end at the absolute expiry however active", async () => {
    const { token } = await createSession(database.db, { userId, address: null, userAgent: null, policy });
    await database.db.session.updateMany({
      where: { tokenHash: hashSecret(token) },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    expect(await resolveSession(database.db, token, policy)).toBeNull();
  });

  it("end when the user is disabled, and an unknown token resolves to nobody", async () => {
    const { token } = await createSession(database.db, { userId, address: null, userAgent: null, policy });
    await database.db.user.update({ where: { id: userId }, data: { disabled: true } });
    expect(await resolveSession(database.db, token, policy)).toBeNull();
    await database.db.user.update({ where: { id: userId }, data: { disabled: false } });
    expect(await resolveSession(database.db, "not-a-token", policy)).toBeNull();
  });

  it("travel in an HttpOnly, SameSite cookie that is Secure over HTTPS", () => {
    const plain = sessionCookie("abc", { secure: false, maxAgeSeconds: 60 });
    expect(plain).toMatch(/^minos_session=abc; Max-Age=60; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(sessionCookie("abc", { secure: true, maxAgeSeconds: 60 })).toContain("Secure");
    expect(sessionTokenFrom("theme=dark; minos_session=xyz")).toBe("xyz");
    expect(sessionTokenFrom("theme=dark")).toBeNull();
  });
});
