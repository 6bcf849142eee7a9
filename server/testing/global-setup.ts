// Vitest global setup: a real Postgres for the tests. DATABASE_URL when set (CI uses the service
// on 5432), otherwise an embedded Postgres in a temporary directory for this run.
import type { TestProject } from "vitest/node";
import { startTempPostgres } from "./temp-postgres";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startTempPostgres();
  project.provide("adminDatabaseUrl", pg.url);
  return () => pg.stop();
}
