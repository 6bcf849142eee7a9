// Runs `prisma generate` offline. Generation needs no database and no native engine, but the
// Prisma CLI insists on a schema-engine path existing; point it at a harmless binary when the
// download that @prisma/engines attempts at install time could not happen (no network here).
import { spawnSync } from "node:child_process";

const env = { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";
const result = spawnSync("npx", ["prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
