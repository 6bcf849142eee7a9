// Exports the audit trail (optionally filtered) as JSON lines, oldest entries last. Needs audit.read.

import { listAudit } from "@/server/access/audit/list-audit";
import { recordAudit } from "@/server/access/audit/record-audit";
import { authorizeRequest } from "@/server/api/http/authorize-request";
import { auditFilterSchema } from "@/server/api/routers/audit.router";
import { CLIENT_ADDRESS_HEADER } from "@/server/api/trpc/context";
import { actorOf } from "@/server/model/principal";
import { db } from "@/server/platform/db/client";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const auth = await authorizeRequest(req, "audit.read");
  if ("response" in auth) return auth.response;
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = auditFilterSchema.omit({ limit: true, before: true }).safeParse(params);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
    return Response.json({ error: { message: `Invalid filter: ${msg}` } }, { status: 400 });
  }
  await recordAudit(db(), {
    actor: actorOf(auth.principal),
    action: "audit.export",
    address: req.headers.get(CLIENT_ADDRESS_HEADER),
    result: "ok",
    details: { filter: params },
  });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let before: bigint | undefined;
      for (;;) {
        const rows = await listAudit(db(), { ...parsed.data, before, limit: 1_000 });
        if (rows.length === 0) break;
        controller.enqueue(encoder.encode(`${rows.map((r) => JSON.stringify(r)).join("\n")}\n`));
        before = BigInt(rows.at(-1)?.id ?? "0");
      }
      controller.close();
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(stream, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="minos-audit-${stamp}.jsonl"`,
      "cache-control": "no-store",
    },
  });
}
