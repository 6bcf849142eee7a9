// Starts single sign-on: off to the identity provider, back to ?next= afterwards.
import { oidcSettings } from "@/server/access/auth/oidc/config";
import { flowKey } from "@/server/access/auth/oidc/flow-state";
import { orLoginPage } from "@/server/access/auth/oidc/responses";
import { startOidcLogin } from "@/server/access/auth/oidc/start-login";
import { logger } from "@/server/platform/observability/logger";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  const log = logger();
  return orLoginPage(log, async () =>
    startOidcLogin({ request, settings: oidcSettings(), key: await flowKey(), log }),
  );
}
