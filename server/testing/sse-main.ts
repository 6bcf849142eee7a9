// For benchmarks: runs the SSE test server (the app's tRPC route on node:http) as its own process, so
// its memory and CPU are measured apart from the clients. Env: DATABASE_URL, MINOS_DATA_DIR (secret key).
import { setInstanceSecretKey } from "../platform/secrets/instance-key";
import { loadSecretKey } from "../platform/secrets/secret-key";
import { startSseTestServer } from "./sse-server";

const dataDir = process.env.MINOS_DATA_DIR;
if (!process.env.DATABASE_URL || !dataDir) {
  console.error("set DATABASE_URL and MINOS_DATA_DIR");
  process.exit(2);
}
setInstanceSecretKey(await loadSecretKey({ dataDir }));
const server = await startSseTestServer();
console.log(`SSE_READY ${server.url}`);
process.on("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
