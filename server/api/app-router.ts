// The app router: one router per domain.
import { auditRouter } from "./routers/audit.router";
import { authRouter } from "./routers/auth.router";
import { clustersRouter } from "./routers/clusters.router";
import { credentialsRouter } from "./routers/credentials.router";
import { driftRouter } from "./routers/drift.router";
import { eventsRouter } from "./routers/events.router";
import { fleetRouter } from "./routers/fleet.router";
import { inventoryRouter } from "./routers/inventory.router";
import { kubeReadersRouter } from "./routers/kube-readers.router";
import { logsRouter } from "./routers/logs.router";
import { machinesRouter } from "./routers/machines.router";
import { rolloutsRouter } from "./routers/rollouts.router";
import { tokensRouter } from "./routers/tokens.router";
import { usersRouter } from "./routers/users.router";
import { createCallerFactory, router } from "./trpc/init";

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
  kubeReaders: kubeReadersRouter,
  rollouts: rolloutsRouter,
  events: eventsRouter,
  drift: driftRouter,
  logs: logsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
