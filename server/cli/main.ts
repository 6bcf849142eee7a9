// The admin CLI for the operator of an installation: `npm run minos -- <command>`.
// It works on the same database as the app and audits what it changes (actor "cli").
import { randomBytes } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import { z } from "zod";
import { adoptAuditHead } from "../access/audit/adopt-audit-head";
import { recordAudit } from "../access/audit/record-audit";
import { resealAuditHead } from "../access/audit/reseal-audit-head";
import { verifyAuditChain } from "../access/audit/verify-audit-chain";
import { createApiToken, MAX_TOKEN_DAYS } from "../access/auth/api-tokens";
import { FIRST_ADMIN } from "../access/auth/ensure-first-admin";
import { rotateSecretKey } from "../features/credentials/rotate-secret-key";
import { createUser } from "../features/users/create-user";
import { listUsers } from "../features/users/list-users";
import { setPassword } from "../features/users/set-password";
import { setUserGrants } from "../features/users/set-user-grants";
import { usernameSchema } from "../features/users/user-schemas";
import { AppError } from "../model/errors";
import { roles } from "../model/permissions";
import { scopeSchema } from "../model/scope";
import { type EnvError, parseEnv } from "../platform/env";
import { DataDirLockedError, lockDataDir } from "../platform/runtime/data-dir-lock";
import { EmbeddedPostgresError } from "../platform/runtime/embedded-postgres-error";
import { instanceSecretKey, setInstanceSecretKey } from "../platform/secrets/instance-key";
import { loadSecretKey } from "../platform/secrets/secret-key";
import { openDatabase } from "./open-database";

function parseWith<T>(schema: z.ZodType<T>, what: string) {
  return (value: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new InvalidArgumentError(`${what} ${r.error.issues[0]?.message ?? "is not valid"}`);
    return r.data;
  };
}

const roleList = parseWith(
  z
    .string()
    .transform((s) => s.split(",").map((r) => r.trim()))
    .pipe(z.array(z.enum(roles, { error: `must be one of ${roles.join(", ")}` })).min(1)),
  "--role",
);
const oneRole = parseWith(z.enum(roles, { error: `must be one of ${roles.join(", ")}` }), "--role");
const scope = parseWith(scopeSchema, "--scope");
const username = parseWith(usernameSchema, "the user name");
const days = parseWith(
  z
    .string()
    .regex(/^\d+d?$/, "must be a number of days such as 30d")
    .transform((s) => Number.parseInt(s, 10))
    .pipe(z.number().int().min(1).max(MAX_TOKEN_DAYS, `must be at most ${MAX_TOKEN_DAYS}d`)),
  "--expires",
);

const reasonText = parseWith(
  z.string().trim().min(1, "must say what happened").max(500, "must be at most 500 characters"),
  "--reason",
);

const generatePassword = () => randomBytes(15).toString("base64url");

/** Runs a command against the database, audits it, and turns expected errors into one clear line. */
async function withDb(
  action: string,
  target: string,
  work: (db: Awaited<ReturnType<typeof openDatabase>>["db"]) => Promise<void>,
) {
  let config: ReturnType<typeof parseEnv>;
  try {
    config = parseEnv(process.env);
  } catch (err) {
    console.error((err as EnvError).message);
    process.exit(78);
  }
  const handle = await openDatabase(config).catch((err) => {
    if (!(err instanceof EmbeddedPostgresError)) throw err;
    console.error(err.message);
    process.exit(1);
  });
  // Audit entries are signed into the trail's head with the instance's key, as the app does.
  const secretKey = await loadSecretKey({ envValue: config.MINOS_SECRET_KEY, dataDir: config.dataDir });
  setInstanceSecretKey(secretKey);
  await adoptAuditHead(handle.db, secretKey, handle.applied);
  let code = 0;
  try {
    await work(handle.db);
    if (action) await recordAudit(handle.db, { actor: "cli", action, target, result: "ok" });
  } catch (err) {
    if (err instanceof AppError) {
      console.error(err.userMessage);
      if (action)
        await recordAudit(handle.db, {
          actor: "cli",
          action,
          target,
          result: "error",
          details: { error: err.userMessage },
        });
      code = 1;
    } else {
      throw err;
    }
  } finally {
    await handle.close();
  }
  process.exit(code || Number(process.exitCode ?? 0));
}

const program = new Command("minos").description("Administer a Minos installation.").showHelpAfterError();

const user = program.command("user").description("local user accounts");
user
  .command("create")
  .argument("<username>", "sign-in name", username)
  .requiredOption("--role <roles>", `comma-separated roles: ${roles.join(", ")}`, roleList)
  .option("--scope <scope>", "limit the roles: site:eu/dk/* or cluster:key=value", scope, "")
  .option("--password <password>", "initial password (generated and printed when omitted)")
  .action((name: string, o: { role: (typeof roles)[number][]; scope: string; password?: string }) =>
    withDb("user.create", `user:${name}`, async (db) => {
      const password = o.password ?? generatePassword();
      await createUser(db, {
        username: name,
        password,
        grants: o.role.map((role) => ({ role, scope: o.scope })),
      });
      console.log(`Created ${name} (${o.role.join(", ")}${o.scope ? ` in ${o.scope}` : ""}).`);
      if (!o.password) console.log(`Password (shown once): ${password}`);
    }),
  );
user.command("list").action(() =>
  withDb("", "", async (db) => {
    for (const u of await listUsers(db)) {
      const grants = u.grants.map((g) => (g.scope ? `${g.role}@${g.scope}` : g.role)).join(",");
      console.log(`${u.username.padEnd(24)} ${grants.padEnd(32)} ${u.disabled ? "disabled" : "active"}`);
    }
  }),
);
user
  .command("set-role")
  .argument("<username>", "sign-in name", username)
  .requiredOption("--role <roles>", `comma-separated roles: ${roles.join(", ")}`, roleList)
  .option("--scope <scope>", "limit the roles: site:eu/dk/* or cluster:key=value", scope, "")
  .action((name: string, o: { role: (typeof roles)[number][]; scope: string }) =>
    withDb("user.setGrants", `user:${name}`, async (db) => {
      await setUserGrants(
        db,
        name,
        o.role.map((role) => ({ role, scope: o.scope })),
      );
      console.log(`${name} now holds ${o.role.join(", ")}${o.scope ? ` in ${o.scope}` : ""}.`);
    }),
  );
user
  .command("reset-password")
  .argument("<username>", "sign-in name", username)
  .option("--password <password>", "new password (generated and printed when omitted)")
  .action((name: string, o: { password?: string }) =>
    withDb("user.resetPassword", `user:${name}`, async (db) => {
      const password = o.password ?? generatePassword();
      const { revokedTokens } = await setPassword(db, { username: name, newPassword: password });
      console.log(
        `Password of ${name} reset; their sessions are signed out, any lockout lifted${revokedTokens ? `, and their ${revokedTokens} API token${revokedTokens === 1 ? "" : "s"} revoked` : ""}.`,
      );
      if (!o.password) console.log(`New password (shown once): ${password}`);
    }),
  );

program
  .command("token")
  .description("API tokens")
  .command("create")
  .requiredOption("--role <role>", `the token's role: ${roles.join(", ")}`, oneRole)
  .requiredOption("--name <name>", "a name to tell the token apart")
  .option("--expires <days>", "lifetime, e.g. 30d", days, 30)
  .option("--user <username>", "the user the token acts for", username, FIRST_ADMIN)
  .option("--scope <scope>", "limit the token: site:eu/dk/* or cluster:key=value", scope, "")
  .action((o: { role: (typeof roles)[number]; name: string; expires: number; user: string; scope: string }) =>
    withDb("tokens.create", `token:${o.name}`, async (db) => {
      const owner = await db.user.findUnique({ where: { username: o.user } });
      if (!owner) throw new AppError("NOT_FOUND", { userMessage: `There is no user named "${o.user}".` });
      const t = await createApiToken(db, {
        ownerId: owner.id,
        name: o.name,
        role: o.role,
        scope: o.scope,
        expiresInDays: o.expires,
        creator: "cli",
      });
      console.error(
        `Token "${o.name}" for ${o.user} (${o.role}) expires ${t.expiresAt.toISOString()}. Shown once:`,
      );
      console.log(t.token);
    }),
  );

const audit = program.command("audit").description("the audit trail");
audit
  .command("verify")
  .description(
    "check the hash chain and signed head of the audit trail; exit 1 when an entry was altered, removed or added outside Minos",
  )
  .action(() =>
    withDb("", "", async (db) => {
      const v = await verifyAuditChain(db);
      if (v.ok) {
        console.log(
          `Audit trail intact: ${v.entries} entries verified, up to the signed head (entry ${v.headId}).`,
        );
        return;
      }
      console.error(
        `Audit trail TAMPERED (${v.reason}): ${v.message} ${v.entries} entries verified before it.`,
      );
      process.exitCode = 1;
    }),
  );
audit
  .command("reseal-head")
  .description(
    "sign the audit trail's head over the trail as it is now, after looking into a break `audit verify` reported; recorded in the trail",
  )
  .requiredOption("--reason <text>", "what happened, for the record", reasonText)
  .action((o: { reason: string }) =>
    withDb("", "", async (db) => {
      const r = await resealAuditHead(db, instanceSecretKey(), { actor: "cli", reason: o.reason });
      console.log(
        `Signed the head over entry ${r.newestId} (the reseal itself); the previous head was ${r.previousHead}.`,
      );
    }),
  );

/** Whether a Minos server holds the data directory (it would go on sealing with the old key). */
async function minosIsRunning(dataDir: string): Promise<boolean> {
  try {
    await (await lockDataDir(dataDir))();
    return false;
  } catch (err) {
    if (err instanceof DataDirLockedError) return true;
    throw err;
  }
}

program
  .command("secret-key")
  .description("the key that seals Talos credentials at rest")
  .command("rotate")
  .description(
    "re-seal every Talos credential under a new key in one transaction; stop every Minos instance first",
  )
  .option("--new-key <key>", "32 bytes as 64 hex characters or base64 (generated and printed when omitted)")
  .action(async (o: { newKey?: string }) => {
    let dataDir: string | undefined;
    try {
      dataDir = parseEnv(process.env).dataDir;
    } catch {
      // withDb reports the configuration error.
    }
    if (dataDir && (await minosIsRunning(dataDir))) {
      console.error(
        `Minos is running with the data directory ${dataDir}: stop it (and every instance sharing its database) before rotating the key.`,
      );
      process.exit(1);
    }
    await withDb("secretKey.rotate", "secret-key", async (db) => {
      const config = parseEnv(process.env);
      const current = await loadSecretKey({ envValue: config.MINOS_SECRET_KEY, dataDir: config.dataDir });
      const r = await rotateSecretKey(db, { current, newKey: o.newKey, dataDir: config.dataDir });
      // This command's own audit entry is signed into the head under the new key.
      setInstanceSecretKey(await loadSecretKey({ envValue: r.newKey, dataDir: config.dataDir }));
      console.error(`Re-sealed ${r.resealed.length} Talos credential(s) under the new key.`);
      if (r.wroteKeyFile) {
        console.error(`The new key replaced the old one in ${r.wroteKeyFile}; start Minos again to use it.`);
      } else {
        console.error(
          "Set MINOS_SECRET_KEY to the new key on every Minos instance, then start them again: the old key opens nothing any more.",
        );
      }
      if (!o.newKey) {
        console.error("New key (shown once; keep a copy with your backups):");
        console.log(r.newKey);
      }
    });
  });

program.parseAsync().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
