// The role Minos runs as, apart from the role that owns the schema: it may read and write the rows
// it works on, but cannot alter tables, switch triggers off (the audit trail's append-only and
// retention rules are triggers), change or truncate audit entries, or touch the migration history.
// The owner grants it after each migration run; the embedded default creates it.
import pg from "pg";

/** The role of the embedded Postgres that Minos runs as (the cluster's own user owns the schema). */
export const EMBEDDED_RUNTIME_ROLE = "minos_app";

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function asOwner<T>(ownerUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: "minos-migrate" });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the role (or sets its password) as a login role with no power beyond what is granted. */
export async function ensureRuntimeRole(ownerUrl: string, role: string, password: string): Promise<void> {
  await asOwner(ownerUrl, async (c) => {
    const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
    const verb = exists.rowCount ? "ALTER" : "CREATE";
    const literal = (await c.query("SELECT quote_literal($1) AS v", [password])).rows[0].v as string;
    await c.query(
      `${verb} ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${literal}`,
    );
  });
}

/** What the runtime role may do, granted by the owner (idempotent: run after every migration run). */
export async function grantRuntimeRole(ownerUrl: string, role: string): Promise<void> {
  const r = quoteIdent(role);
  await asOwner(ownerUrl, async (c) => {
    await c.query("BEGIN");
    await c.query(
      `GRANT CONNECT ON DATABASE ${quoteIdent((await c.query("SELECT current_database() AS d")).rows[0].d)} TO ${r}`,
    );
    await c.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await c.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
    // Audit entries are appended and, by the retention job, removed oldest first (the triggers say
    // which removals are allowed); never changed.
    await c.query(`REVOKE UPDATE, TRUNCATE ON audit_entry FROM ${r}`);
    await c.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM ${r}`);
    await c.query("COMMIT");
  });
}

export interface RolePowers {
  role: string;
  superuser: boolean;
  /** Owns the audit trail's table, so it could switch its triggers off. */
  ownsAuditTrail: boolean;
}

/** What the role of a connection could do to the audit trail beyond what Minos needs. */
export async function rolePowers(url: string): Promise<RolePowers> {
  return asOwner(url, async (c) => {
    const { rows } = await c.query(
      `SELECT current_user AS role, r.rolsuper AS superuser,
              pg_has_role(current_user, t.tableowner, 'USAGE') AS owns
       FROM pg_roles r, pg_tables t
       WHERE r.rolname = current_user AND t.schemaname = 'public' AND t.tablename = 'audit_entry'`,
    );
    const row = rows[0] as { role: string; superuser: boolean; owns: boolean };
    return { role: row.role, superuser: row.superuser, ownsAuditTrail: row.owns };
  });
}

export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}
