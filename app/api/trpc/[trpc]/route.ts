// tRPC over HTTP (and SSE for subscriptions): only the fetch handler lives here.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/app-router";
import { isCrossSiteRequest } from "@/server/api/http/same-origin";
import { createContext } from "@/server/api/trpc/context";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  const cookieAuthenticated = !req.headers.get("authorization") && req.headers.has("cookie");
  if (req.method !== "GET" && cookieAuthenticated && isCrossSiteRequest(req)) {
    return Response.json(
      { error: { message: "Cross-site requests cannot change anything in Minos. Use Minos's own pages." } },
      { status: 403 },
    );
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ resHeaders }) => createContext({ req, resHeaders }),
  });
}

export { handler as GET, handler as POST };
