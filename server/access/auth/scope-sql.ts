// The scope filters of scope-filter.ts as SQL conditions, for the few reads written as one SQL
// statement (the fleet overview). scope-sql.test.ts checks both select exactly the same rows.
import { Prisma } from "../../platform/db/generated/client";

/** "eu/dk/*" matches eu/dk and everything under it; anything else matches exactly. */
function siteSql(column: Prisma.Sql, pattern: string): Prisma.Sql {
  if (!pattern.endsWith("/*")) return Prisma.sql`${column} = ${pattern}`;
  const base = pattern.slice(0, -2);
  return Prisma.sql`(${column} = ${base} OR starts_with(${column}, ${`${base}/`}))`;
}

/** "labels:k=v,k2=v2" on the cluster's own labels. */
function labelsSql(column: Prisma.Sql, scope: string): Prisma.Sql {
  const terms = Object.fromEntries(
    scope
      .slice(8)
      .split(",")
      .map((t) => t.split("=") as [string, string]),
  );
  return Prisma.sql`${column} @> ${JSON.stringify(terms)}::jsonb`;
}

const NOTHING = Prisma.sql`FALSE`;
const EVERYTHING = Prisma.sql`TRUE`;

/** Clusters (alias `alias`) visible under these scopes ("" = everything). */
export function clusterScopeSql(scopes: string[], alias = "cluster"): Prisma.Sql {
  if (scopes.includes("")) return EVERYTHING;
  if (scopes.length === 0) return NOTHING;
  const a = Prisma.raw(alias);
  const parts = scopes.map((s) =>
    s.startsWith("site:")
      ? siteSql(Prisma.sql`${a}.site`, s.slice(5))
      : labelsSql(Prisma.sql`${a}.labels`, s),
  );
  return Prisma.sql`(${Prisma.join(parts, " OR ")})`;
}

/** Machines (alias `alias`) visible under these scopes: by effective site, or by their cluster's labels. */
export function machineScopeSql(scopes: string[], alias = "machine"): Prisma.Sql {
  if (scopes.includes("")) return EVERYTHING;
  if (scopes.length === 0) return NOTHING;
  const a = Prisma.raw(alias);
  const parts = scopes.map((s) =>
    s.startsWith("site:")
      ? siteSql(Prisma.sql`${a}.effective_site`, s.slice(5))
      : Prisma.sql`${a}.cluster_id IN (SELECT c.id FROM cluster c WHERE ${labelsSql(Prisma.sql`c.labels`, s)})`,
  );
  return Prisma.sql`(${Prisma.join(parts, " OR ")})`;
}
