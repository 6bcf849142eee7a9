// The app router: one router per domain.
import { fleetRouter } from "../fleet/fleet.router";
import { createCallerFactory, router } from "./init";

export const appRouter = router({
  fleet: fleetRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
