// Request bodies are capped before anyone reads them, signed in or not: 1 MiB by default, more only for
// the procedures that take an upload (a talosconfig, a baselines file). The size is judged from
// Content-Length, before a byte of the body is read (Node reads no further than it says), and a body
// without one is refused: browsers and the tRPC client always send it. So an anonymous 300 MB request
// costs Minos nothing but its headers.
import type { IncomingMessage, ServerResponse } from "node:http";

const MiB = 1024 * 1024;
export const DEFAULT_BODY_LIMIT = MiB;

/** Procedures that take a file, and the largest body each may come in (their input caps, as JSON). */
const UPLOADS: Record<string, number> = {
  "inventory.import": 2 * MiB,
  "credentials.import": 2 * MiB,
  "credentials.replace": 2 * MiB,
  "drift.importBaselines": 4 * MiB,
};

/** The largest body a request to this path may carry. */
export function bodyLimitFor(pathname: string): number {
  const prefix = "/api/trpc/";
  if (!pathname.startsWith(prefix)) return DEFAULT_BODY_LIMIT;
  // A batch names its procedures separated by commas: the largest allowance of any of them.
  const names = decodeURIComponent(pathname.slice(prefix.length)).split(",");
  return Math.max(DEFAULT_BODY_LIMIT, ...names.map((n) => UPLOADS[n] ?? 0));
}

const sizeText = (bytes: number) =>
  bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;

function refuse(res: ServerResponse, status: 411 | 413, message: string): void {
  // The body is never read: close the connection once the answer is out, or Node would wait for it.
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(
    JSON.stringify({ error: { message, code: status === 413 ? "PAYLOAD_TOO_LARGE" : "LENGTH_REQUIRED" } }),
  );
}

/** Answers 413 (too large) or 411 (no length) and returns true, or returns false to let the request on. */
export function refuseOversizedBody(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  const length = req.headers["content-length"];
  const chunked = /chunked/i.test(req.headers["transfer-encoding"] ?? "");
  if (length === undefined) {
    if (!chunked) return false; // no body at all
    refuse(res, 411, "Send the request body with a Content-Length header.");
    return true;
  }
  const bytes = Number(length);
  const limit = bodyLimitFor(pathname);
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    refuse(res, 413, "The request's Content-Length is not a size.");
    return true;
  }
  if (bytes <= limit) return false;
  refuse(
    res,
    413,
    `The request is ${sizeText(bytes)}; at most ${sizeText(limit)} is accepted here. Files for import (a talosconfig, baselines) have their own larger limits; anything else this large is a mistake.`,
  );
  return true;
}
