// Label selectors, usable everywhere a set of machines is chosen:
//   role=worker,site in (eu/dk/*),!canary,health!=healthy,version=v1.13.*
// Terms are ANDed. A term is `key`, `!key`, `key=value` (or ==), `key!=value`, `key in (a,b)` or
// `key notin (a,b)`; a value ending in `*` matches by prefix. The keys site, role, cluster, health,
// version (Talos), kubernetes and stage are machine fields; any other key is a label, which a
// machine carries itself or inherits from its cluster (the machine's own value wins). Site and
// labels are read from the machine's effective columns, which the database keeps current.
import { AppError } from "./errors";

export const FIELD_KEYS = ["site", "role", "cluster", "health", "version", "kubernetes", "stage"] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];

export type SelectorTerm =
  | { kind: "exists"; key: string; negated: boolean }
  | { kind: "match"; key: string; values: string[]; negated: boolean };

export type Selector = SelectorTerm[];

const MAX_LENGTH = 2_000;
const KEY = /[A-Za-z0-9][A-Za-z0-9._/-]*/y;
const VALUE = /[A-Za-z0-9*][A-Za-z0-9*._/:+-]*/y;

function fail(_text: string, pos: number, what: string): never {
  throw new AppError("BAD_REQUEST", {
    userMessage: `The selector is not valid at character ${pos + 1}: ${what}. Example: role=worker,site in (eu/dk/*),!canary`,
  });
}

/** Parses a selector; throws a BAD_REQUEST AppError naming the position and what was expected. */
export function parseSelector(text: string): Selector {
  if (text.length > MAX_LENGTH) fail(text, MAX_LENGTH, `it is longer than ${MAX_LENGTH} characters`);
  let pos = 0;
  const skip = () => {
    while (text[pos] === " " || text[pos] === "\t") pos++;
  };
  const read = (re: RegExp, what: string): string => {
    skip();
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m)
      fail(text, pos, `expected ${what}${pos < text.length ? `, found "${text[pos]}"` : ", found the end"}`);
    pos += m[0].length;
    return m[0];
  };
  const terms: Selector = [];
  skip();
  if (pos === text.length) return terms;
  for (;;) {
    skip();
    if (text[pos] === "!") {
      pos++;
      terms.push({ kind: "exists", key: read(KEY, "a label key after !"), negated: true });
    } else {
      const key = read(KEY, "a key");
      skip();
      if (text.startsWith("!=", pos)) {
        pos += 2;
        terms.push({ kind: "match", key, values: [read(VALUE, "a value")], negated: true });
      } else if (text[pos] === "=") {
        pos += text[pos + 1] === "=" ? 2 : 1;
        terms.push({ kind: "match", key, values: [read(VALUE, "a value")], negated: false });
      } else if (/^(notin|in)\s*\(/.test(text.slice(pos))) {
        const negated = text.startsWith("notin", pos);
        pos += negated ? 5 : 2;
        skip();
        pos++; // "("
        const values = [read(VALUE, "a value")];
        for (;;) {
          skip();
          if (text[pos] === ",") {
            pos++;
            values.push(read(VALUE, "a value"));
          } else if (text[pos] === ")") {
            pos++;
            break;
          } else fail(text, pos, `expected "," or ")" in the list of values`);
        }
        terms.push({ kind: "match", key, values, negated });
      } else {
        terms.push({ kind: "exists", key, negated: false });
      }
    }
    skip();
    if (pos === text.length) break;
    if (text[pos] !== ",") fail(text, pos, `expected "," between terms, found "${text[pos]}"`);
    pos++;
  }
  for (const t of terms) {
    if (t.kind === "exists" && (FIELD_KEYS as readonly string[]).includes(t.key)) {
      fail(text, text.indexOf(t.key), `"${t.key}" is a machine field, so it needs a value (e.g. ${t.key}=…)`);
    }
  }
  return terms;
}
