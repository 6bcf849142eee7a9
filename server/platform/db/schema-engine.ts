// Loads Prisma's official schema engine (WebAssembly build) so migrations work without network
// access: no npm package ships the native engine, and it cannot be downloaded here.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

type Bindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg") & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let bindings: Promise<Bindings> | undefined;

async function loadBindings(): Promise<Bindings> {
  const require = createRequire(import.meta.url);
  const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bg = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Bindings;
  const wasmBytes = await readFile(path.join(path.dirname(bgPath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(wasmBytes, { "./schema_engine_bg.js": bg as never });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bg;
}

export interface EngineOptions {
  databaseUrl: string;
  /** Schema files the engine should know (path, content); empty for migration-only work. */
  datamodels?: [string, string][];
  onLog?: (line: string) => void;
}

/** Starts a schema engine connected to the database through the pg driver adapter. */
export async function openSchemaEngine(options: EngineOptions): Promise<SchemaEngine> {
  bindings ??= loadBindings();
  const bg = await bindings;
  const url = new URL(options.databaseUrl);
  // Discrete fields: the shadow-database helper of adapter-pg lets a connection string override
  // the shadow database name.
  const adapter = new PrismaPg({
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || "postgres"),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || "postgres",
    max: 2,
  });
  return bg.SchemaEngine.new(
    { datamodels: options.datamodels },
    (line: string) => options.onLog?.(line),
    bindMigrationAwareSqlAdapterFactory(adapter),
  );
}
