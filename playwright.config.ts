// Browser tests in Debian's Chromium against the production build, started the way the README
// starts it (`npm start`). Uses DATABASE_URL when set (it must be a local database), else the
// embedded Postgres in a fresh data directory.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://127.0.0.1:${port}`;

/**
 * With DATABASE_URL (the schema's owner), Minos migrates as the owner and runs as a role of its own,
 * as a production install on an external database should; the tests seed through the owner's URL.
 */
let databaseEnv: Record<string, string> = {};
if (process.env.DATABASE_URL) {
  const host = new URL(process.env.DATABASE_URL).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to run browser tests against a non-local database (${host}).`);
  }
  if (!process.env.E2E_RUNTIME_DATABASE_URL) {
    const made = spawnSync(process.execPath, ["--import", "tsx", "e2e/runtime-role.ts"], {
      encoding: "utf8",
    });
    if (made.status !== 0) throw new Error(`Could not create the runtime role: ${made.stderr}`);
    process.env.E2E_RUNTIME_DATABASE_URL = made.stdout.trim();
  }
  databaseEnv = {
    MINOS_MIGRATION_DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_URL: process.env.E2E_RUNTIME_DATABASE_URL,
  };
}

/** The first administrator's password for this run (see e2e/helpers.ts). */
export const adminPassword = "e2e-admin-password-0001";
process.env.E2E_ADMIN_PASSWORD = adminPassword;

/** The token Prometheus would scrape /api/metrics with (e2e/shell.spec.ts). */
export const metricsToken = "e2e-metrics-token-0123456789abcdef";
process.env.E2E_METRICS_TOKEN = metricsToken;

/** The local OpenID provider that e2e/oidc.spec.ts starts; Minos discovers it on the first SSO click. */
const oidcPort = process.env.E2E_OIDC_PORT ?? "3219";
process.env.E2E_OIDC_PORT = oidcPort;
process.env.E2E_OIDC_CLIENT_SECRET = "minos-e2e-client-secret";

const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), "minos-e2e-"));
// Workers read it too: specs that seed rows find the embedded database through it (e2e/database.ts).
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e/artifacts/results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [
    ["list"],
    ["html", { outputFolder: "e2e/artifacts/report", open: "never" }],
    // npm test reads the counts from here (PLAYWRIGHT_JSON_OUTPUT_NAME).
    ...(process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["json"] as ["json"]] : []),
  ],
  timeout: 30_000,
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "node scripts/start.mjs",
    url: `${baseURL}/api/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      MINOS_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      MINOS_ADMIN_PASSWORD: adminPassword,
      MINOS_LOGIN_MAX_FAILURES: "3",
      // Every test signs in from 127.0.0.1; the per-address limit is tested by server/access/auth/login.test.ts.
      MINOS_LOGIN_ATTEMPTS_PER_MINUTE: "1000",
      MINOS_METRICS_TOKEN: metricsToken,
      // Browser tests seed their own fleets; the demo fleet is covered by the server process tests.
      MINOS_DEMO: "0",
      MINOS_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
      MINOS_OIDC_CLIENT_ID: "minos-e2e",
      MINOS_OIDC_CLIENT_SECRET: process.env.E2E_OIDC_CLIENT_SECRET,
      MINOS_OIDC_ROLE_MAP: "platform-admins=admin;oncall=operator",
      MINOS_OIDC_LABEL: "Sign in with Example SSO",
      ...databaseEnv,
    },
  },
});
