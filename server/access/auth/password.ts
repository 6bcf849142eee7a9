// Password hashing with argon2id (OWASP's minimum parameters: 19 MiB, 2 passes, 1 lane — fast
// enough that sign-in bursts do not exhaust a 2-core instance) and the password policy.
// @node-rs/argon2 ships a prebuilt binary per platform as a regular npm package: nothing compiles
// or downloads at install time.
import { hash, verify } from "@node-rs/argon2";
import { AppError } from "../../model/errors";

// algorithm 2 is Argon2id (the package's Algorithm is a const enum, which isolated modules cannot read).
const params = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, params);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// A valid hash to verify against when the user does not exist, so timing does not tell.
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword("decoy password that matches nothing");
  return decoy;
}

/** Checks a new password against the policy; throws a message saying what to change. */
export function assertPasswordPolicy(password: string, username?: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`,
    });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `The password must be at most ${MAX_PASSWORD_LENGTH} characters.`,
    });
  }
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    throw new AppError("BAD_REQUEST", { userMessage: "The password must not contain the user name." });
  }
}
