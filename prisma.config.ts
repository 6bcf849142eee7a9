// Prisma CLI configuration. The app itself never reads this file: it builds its client from
// server/platform/env.ts and applies migrations itself at start (server/platform/db/migrate.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/minos" },
});
