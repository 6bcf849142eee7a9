// Writes a new migration from the difference between the schema as of the newest migration
// (prisma/migrations/schema.snapshot.prisma) and prisma/schema.prisma. Works offline.
// Usage: npm run db:migration -- <name>
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { migrationsDir } from "../server/platform/db/migrations-dir";
import { openSchemaEngine } from "../server/platform/db/schema-engine";

const snapshotPath = path.join(migrationsDir, "schema.snapshot.prisma");
const schemaPath = path.resolve("prisma", "schema.prisma");

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error("Usage: npm run db:migration -- <name>   (lower-case letters, digits and _)");
    process.exit(2);
  }
  const current = await readFile(schemaPath, "utf8");
  const previous = await readFile(snapshotPath, "utf8").catch(() => null);
  // diff between two datamodels needs no live database, but the engine wants a connection.
  const engine = await openSchemaEngine({
    databaseUrl: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  });
  let script = "";
  const origWrite = process.stdout.write.bind(process.stdout);
  try {
    const result = await engine.diff({
      from:
        previous === null
          ? { tag: "empty" }
          : { tag: "schemaDatamodel", files: [{ path: snapshotPath, content: previous }] },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: current }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    script = result.stdout ?? "";
  } finally {
    engine.free();
    process.stdout.write = origWrite;
  }
  if (script.trim() === "" || script.includes("-- This is an empty migration.")) {
    console.log("The schema has no changes since the newest migration: nothing written.");
    process.exit(0);
  }
  const stamp = new Date()
    .toISOString()
    .replace(/[-:TZ.]/g, "")
    .slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), script);
  await writeFile(snapshotPath, current);
  await writeFile(path.join(migrationsDir, "migration_lock.toml"), 'provider = "postgresql"\n');
  console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql — review it, then commit it.`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
