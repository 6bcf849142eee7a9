// Run by playwright.config.ts when the browser tests use DATABASE_URL: creates the role the Minos
// under test runs as (with a new password) and prints its URL, so every browser test goes through
// a role that cannot alter tables or switch triggers off, as docs/operations.md recommends.
import { randomBytes } from "node:crypto";
import { ensureRuntimeRole } from "../server/platform/db/runtime-role";

const ownerUrl = process.env.DATABASE_URL;
if (!ownerUrl) throw new Error("DATABASE_URL is not set");
const role = "minos_e2e";
const password = randomBytes(18).toString("base64url");
await ensureRuntimeRole(ownerUrl, role, password);
const url = new URL(ownerUrl);
url.username = role;
url.password = password;
process.stdout.write(url.toString());
