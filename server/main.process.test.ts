// The server process as `npm start` runs it: embedded default, restart, lock, clean stop, bad env.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "./platform/runtime/free-port";

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, entry = ["scripts/start.mjs"]): Started {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, entry, {
    env: { ...inherited, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitReady(
  port: number,
  started: Started,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`server exited early:\n${started.output()}`);
    const res = await fetch(`http://127.0.0.1:${port}/api/readyz`).catch(() => null);
    if (res?.status === 200) return (await res.json()) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not ready after ${timeoutMs} ms:\n${started.output()}`);
}

function postgresRunningOn(dataDir: string): boolean {
  try {
    return execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).includes(path.join(dataDir, "postgres"));
  } catch {
    return false;
  }
}

describe("the Minos server process", () => {
  it("stops at once with one message naming each bad setting", async () => {
    const s = start({ PORT: "abc", DATABASE_URL: "not a url" }, ["--import", "tsx", "server/main.ts"]);
    expect(await s.exited).toBe(78);
    expect(s.output()).toContain("Minos cannot start: the configuration is not valid.");
    expect(s.output()).toContain('PORT must be a number (got "abc")');
    expect(s.output()).toContain("DATABASE_URL must be a PostgreSQL URL");
  });

  it("runs on embedded Postgres, refuses a second start, stops cleanly and keeps its data", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "minos-process-"));
    const port = await freePort();
    const env = { MINOS_DATA_DIR: dataDir, PORT: String(port) };

    const first = start(env);
    const ready = await waitReady(port, first, 180_000);
    expect(ready).toMatchObject({ status: "ready", database: "ok", pendingMigrations: [] });
    expect(first.output()).toContain("migrations applied");
    // An empty inventory gets the simulated demo fleet, which the collector then keeps current.
    expect(first.output()).toContain("imported the simulated demo fleet");
    expect(first.output()).toMatch(
      /created the administrator account\.\n\s+user name: admin\n\s+password: +\S{16,}/,
    );
    const page = await fetch(`http://127.0.0.1:${port}/fleet`, { redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/login?next=%2Ffleet");
    const login = await fetch(`http://127.0.0.1:${port}/login`);
    expect(await login.text()).toContain("Sign in");
    // An anonymous oversized request is refused from its headers, before anything reads its body.
    const huge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `http://127.0.0.1:${port}/api/trpc/auth.login`,
        {
          method: "POST",
          headers: { "content-type": "application/json", "content-length": String(300 * 2 ** 20) },
        },
        (res) => {
          let body = "";
          res.on("data", (c) => {
            body += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.write("{".padEnd(4096, " "));
    });
    expect(huge.status).toBe(413);
    expect(huge.body).toContain("at most 1 MiB is accepted here");

    const second = start({ ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain("Another Minos is already running with the data directory");

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("Minos stopped");
    expect(postgresRunningOn(dataDir)).toBe(false);

    const again = start(env);
    await waitReady(port, again, 60_000);
    expect(again.output()).toContain("database is up to date");
    expect(again.output()).toContain("simulated demo fleet is running");
    expect(again.output()).not.toContain("imported the simulated demo fleet");
    expect(again.output()).not.toContain("created the administrator account");
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
  }, 240_000);
});
