// Starts single sign-on: off to the identity provider, back to ?next= afterwards.
import { oidcSettings } from "@/server/auth/oidc/config";
import { flowKey } from "@/server/auth/oidc/flow-state";
import { orLoginPage } from "@/server/auth/oidc/responses";
import { startOidcLogin } from "@/server/auth/oidc/start-login";
import { logger } from "@/server/observability/logger";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  const log = logger();
  return orLoginPage(log, async () =>
    startOidcLogin({ request, settings: oidcSettings(), key: await flowKey(), log }),
  );
}
