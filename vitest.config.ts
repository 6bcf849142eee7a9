// Unit and integration tests: real Postgres, real gRPC over mTLS against the simulator.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: [
      "server/**/*.test.ts",
      "sim/**/*.test.ts",
      "scripts/**/*.test.ts",
      "bench/**/*.test.ts",
      "app/**/*.test.ts",
    ],
    environment: "node",
    globalSetup: ["./server/testing/global-setup.ts"],
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
