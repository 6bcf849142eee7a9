// User text inside a LIKE pattern (Prisma's contains / startsWith / endsWith build one, and do not escape
// it): "%" and "_" are wildcards there, so a search for "%" matched everything and a scope "site:us_ny/*"
// matched us/ny. Escaped, they mean themselves (backslash is Postgres's LIKE escape).
export function likeText(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
