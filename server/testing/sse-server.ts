// For tests and benchmarks: the app's own tRPC route (app/api/trpc) served by a plain node:http
// server, so subscriptions travel as real server-sent events; plus a tRPC client that reads them with
// an EventSource for Node. `dropConnections()` cuts every open connection, as a network failure would.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { GET, POST } from "../../app/api/trpc/[trpc]/route";
import type { AppRouter } from "../api/app-router";

export interface SseTestServer {
  url: string;
  /** Destroys every open socket (the clients reconnect by themselves). */
  dropConnections(): void;
  close(): Promise<void>;
}

async function handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
  const ac = new AbortController();
  res.on("close", () => ac.abort());
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  let body: Buffer | undefined;
  if (req.method === "POST") {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    body = Buffer.concat(parts);
  }
  const request = new Request(new URL(req.url ?? "/", base), {
    method: req.method,
    headers,
    signal: ac.signal,
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
  const response = await (req.method === "POST" ? POST : GET)(request);
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  // The client going away cancels the body at once, as Next.js does: tRPC then ends the subscription.
  const cancel = () => void reader.cancel().catch(() => {});
  res.once("close", cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      // Respect the socket's backpressure, as Node's HTTP server under Next.js does.
      if (!res.write(value) && !res.destroyed) {
        await new Promise((r) => {
          res.once("drain", r);
          res.once("close", r);
        });
      }
    }
  } catch {
    // the client went away
  } finally {
    cancel();
    res.end();
  }
}

export async function startSseTestServer(): Promise<SseTestServer> {
  const sockets = new Set<Socket>();
  let base = "";
  const server = createServer((req, res) => {
    handle(req, res, base).catch(() => res.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A tRPC client of the app authenticated with an API token: subscriptions over SSE, the rest batched. */
export function sseClient(baseUrl: string, token: string) {
  const authorization = `Bearer ${token}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${baseUrl}/api/trpc`,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input: string | URL | Request, init?: RequestInit) =>
              fetch(input, {
                ...init,
                headers: { ...(init?.headers as Record<string, string>), authorization },
              }),
          }),
        }),
        false: httpBatchLink({
          url: `${baseUrl}/api/trpc`,
          transformer: superjson,
          headers: { authorization },
        }),
      }),
    ],
  });
}
