// Random secrets handed to clients (session cookies, API tokens); only their sha256 is stored.
import { createHash, randomBytes } from "node:crypto";

export const API_TOKEN_PREFIX = "minos_";

export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${newSecret()}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
