// The Prisma client (Prisma 7 with the pg driver adapter), one per process, shared through
// globalThis by the custom server and the Next.js bundle.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

const KEY = Symbol.for("minos.db");
type Holder = { [KEY]?: PrismaClient };

export function createDb(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
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
