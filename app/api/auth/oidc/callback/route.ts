// Where the identity provider sends the browser back: finishes single sign-on.
import { oidcSettings } from "@/server/access/auth/oidc/config";
import { finishOidcLogin } from "@/server/access/auth/oidc/finish-login";
import { flowKey } from "@/server/access/auth/oidc/flow-state";
import { orLoginPage } from "@/server/access/auth/oidc/responses";
import { CLIENT_ADDRESS_HEADER } from "@/server/api/trpc/context";
import { db } from "@/server/platform/db/client";
import { logger } from "@/server/platform/observability/logger";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  const log = logger();
  return orLoginPage(log, async () =>
    finishOidcLogin({
      db: db(),
      request,
      settings: oidcSettings(),
      key: await flowKey(),
      log,
      address: request.headers.get(CLIENT_ADDRESS_HEADER),
    }),
  );
}
