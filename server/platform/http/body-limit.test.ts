// Oversized request bodies are refused from their headers, over real HTTP, before anything reads them:
// the handler behind the limit never sees them and the server's memory does not grow with them.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyLimitFor, DEFAULT_BODY_LIMIT, refuseOversizedBody } from "./body-limit";

let server: http.Server;
let base: string;
let reached = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (refuseOversizedBody(req, res, new URL(req.url ?? "/", "http://x").pathname)) return;
    reached++;
    let bytes = 0;
    req.on("data", (c: Buffer) => {
      bytes += c.length;
    });
    req.on("end", () => res.end(JSON.stringify({ bytes })));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Sends `declared` as Content-Length and `sent` bytes of body (a liar sends fewer). */
function post(path: string, declared: number | undefined, sent: number, chunked = false) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (declared !== undefined) headers["content-length"] = String(declared);
    if (chunked) headers["transfer-encoding"] = "chunked";
    const req = http.request(`${base}${path}`, { method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.write(Buffer.alloc(sent));
    req.end();
  });
}

describe("request body limit", () => {
  it("is 1 MiB by default, larger only for the procedures that take a file", () => {
    expect(bodyLimitFor("/api/trpc/auth.login")).toBe(DEFAULT_BODY_LIMIT);
    expect(bodyLimitFor("/api/trpc/credentials.import")).toBe(2 * 1024 * 1024);
    expect(bodyLimitFor("/api/trpc/fleet.summary,credentials.import")).toBe(2 * 1024 * 1024);
    expect(bodyLimitFor("/api/audit/export")).toBe(DEFAULT_BODY_LIMIT);
  });

  it("refuses a 300 MB sign-in from its headers alone, saying what is accepted", async () => {
    const before = reached;
    const r = await post("/api/trpc/auth.login", 300 * 1024 * 1024, 64 * 1024);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.message).toBe(
      "The request is 300 MiB; at most 1 MiB is accepted here. Files for import (a talosconfig, baselines) have their own larger limits; anything else this large is a mistake.",
    );
    expect(reached).toBe(before);
  });

  it("refuses a body without a length, and lets a fitting one through whole", async () => {
    expect((await post("/api/trpc/auth.login", undefined, 10, true)).status).toBe(411);
    const ok = await post("/api/trpc/credentials.import", 1_500_000, 1_500_000);
    expect(ok).toEqual({ status: 200, body: JSON.stringify({ bytes: 1_500_000 }) });
  });
});
