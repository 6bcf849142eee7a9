// The Prisma client (Prisma 7 with the pg driver adapter), one per process, shared through
// globalThis by the custom server and the Next.js bundle.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

const KEY = Symbol.for("minos.db");
type Holder = { [KEY]?: PrismaClient };

/** The URL each client was created with, for parts that need a connection of their own beside its pool. */
const urls = new WeakMap<PrismaClient, string>();

export function createDb(databaseUrl: string): PrismaClient {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
  urls.set(client, databaseUrl);
  return client;
}

/** The database URL a client made by createDb connects to. */
export function databaseUrlOf(client: PrismaClient): string | undefined {
  return urls.get(client);
}

/** The process-wide client, built on first use from DATABASE_URL (set by start-up). */
export function db(): PrismaClient {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: the database was not started before the app");
    holder[KEY] = createDb(url);
  }
  return holder[KEY];
}

export async function closeDb(): Promise<void> {
  const holder = globalThis as Holder;
  const client = holder[KEY];
  holder[KEY] = undefined;
  await client?.$disconnect();
}

export type { PrismaClient };
