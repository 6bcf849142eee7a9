import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../model/errors";
import type { PrismaClient } from "../platform/db/client";
import { principalWith } from "../testing/principals";
import { createContextInner } from "./trpc/context";
import { procedure, router } from "./trpc/init";
import { authorized } from "./trpc/procedures";

// A router built with the app's own builders, to see what a browser receives for each failure.
const testRouter = router({
  missing: authorized("fleet.read").query(() => {
    throw new AppError("NOT_FOUND", {
      message: "cluster 42 not in table",
      userMessage: "That cluster no longer exists.",
    });
  }),
  crash: authorized("fleet.read").query(() => {
    throw new Error("connection to 10.0.0.7:5432 refused; password=hunter2");
  }),
  undeclared: procedure.query(() => "should never run"),
  validated: authorized("fleet.read")
    .input(z.object({ name: z.string().min(3, "must be at least 3 characters") }))
    .query(({ input }) => input.name),
});

async function call(path: string, input?: unknown) {
  const logged: unknown[] = [];
  const log = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const url = new URL(`http://minos.test/api/trpc/${path}`);
  if (input !== undefined) url.searchParams.set("input", JSON.stringify({ json: input }));
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(url),
    router: testRouter,
    createContext: () =>
      createContextInner({
        db: {} as PrismaClient,
        log,
        requestId: "req-123",
        principal: principalWith("vera", "viewer"),
      }),
  });
  // Responses go through superjson: the payload sits under "json".
  const body = (await res.json()) as { error?: { json: { message: string; data: Record<string, unknown> } } };
  return { status: res.status, error: body.error?.json, logged };
}

describe("errors reaching the browser", () => {
  it("carry the user message and status of an AppError", async () => {
    const r = await call("missing");
    expect(r.status).toBe(404);
    expect(r.error?.message).toBe("That cluster no longer exists.");
    expect(JSON.stringify(r.error)).not.toContain("not in table");
  });

  it("hide internals of unexpected failures, give a reference, and log the details", async () => {
    const r = await call("crash");
    expect(r.status).toBe(500);
    expect(r.error?.message).toBe(
      "Something went wrong on the server (reference req-123). The details are in the server log.",
    );
    expect(JSON.stringify(r.error)).not.toMatch(/hunter2|10\.0\.0\.7|stack/);
    expect(JSON.stringify(r.logged)).toContain("connection to 10.0.0.7:5432 refused");
  });

  it("refuse a procedure that declares no permission (deny by default)", async () => {
    const r = await call("undeclared");
    expect(r.status).toBe(403);
    expect(r.error?.message).toMatch(/declares no permission/);
  });

  it("name the field that failed validation", async () => {
    const r = await call("validated", { name: "ab" });
    expect(r.status).toBe(400);
    expect(r.error?.message).toBe("Invalid input: name must be at least 3 characters");
    expect(r.error?.data.fieldErrors).toEqual({ name: "must be at least 3 characters" });
  });
});
