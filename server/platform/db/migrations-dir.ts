// Where the migrations live: prisma/migrations in Prisma's own layout (one folder per migration).
import { readdir } from "node:fs/promises";
import path from "node:path";

export const migrationsDir = path.resolve(process.cwd(), "prisma", "migrations");

/** Names of the migration folders, in the order they apply. */
export async function migrationNames(dir = migrationsDir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}
