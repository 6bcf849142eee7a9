// Where the identity provider sends the browser back: finishes single sign-on.
import { oidcSettings } from "@/server/auth/oidc/config";
import { finishOidcLogin } from "@/server/auth/oidc/finish-login";
import { flowKey } from "@/server/auth/oidc/flow-state";
import { orLoginPage } from "@/server/auth/oidc/responses";
import { db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { CLIENT_ADDRESS_HEADER } from "@/server/trpc/context";

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
