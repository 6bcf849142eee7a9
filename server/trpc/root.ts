// The app router: one router per domain.
import { auditRouter } from "../audit/audit.router";
import { authRouter } from "../auth/auth.router";
import { tokensRouter } from "../auth/tokens.router";
import { credentialsRouter } from "../credentials/credentials.router";
import { driftRouter } from "../drift/drift.router";
import { eventsRouter } from "../events/events.router";
import { fleetRouter } from "../fleet/fleet.router";
import { clustersRouter } from "../inventory/clusters.router";
import { inventoryRouter } from "../inventory/inventory.router";
import { machinesRouter } from "../inventory/machines.router";
import { logsRouter } from "../logs/logs.router";
import { rolloutsRouter } from "../rollouts/rollouts.router";
import { usersRouter } from "../users/users.router";
import { createCallerFactory, router } from "./init";

export const appRouter = router({
  auth: authRouter,
  tokens: tokensRouter,
  users: usersRouter,
  fleet: fleetRouter,
  inventory: inventoryRouter,
  clusters: clustersRouter,
  machines: machinesRouter,
  audit: auditRouter,
  credentials: credentialsRouter,
  rollouts: rolloutsRouter,
  events: eventsRouter,
  drift: driftRouter,
  logs: logsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
