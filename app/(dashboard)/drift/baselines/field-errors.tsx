// The server's field-level errors that belong to one field of the baseline editor (its own or nested ones).
import type { FieldError } from "@/server/features/drift/config-documents";

/** `field` is `prefix` or inside it (`prefix.x`, `prefix[0]`, `prefix: document`). */
export function belongsTo(field: string, prefix: string): boolean {
  return (
    field === prefix ||
    field.startsWith(`${prefix}.`) ||
    field.startsWith(`${prefix}[`) ||
    field.startsWith(`${prefix}:`)
  );
}

/** The errors of one field (`prefix`), or all of them, each named by its field, when there is no prefix. */
export function FieldErrors({ errors, prefix }: { errors: FieldError[]; prefix?: string }) {
  const mine = prefix === undefined ? errors : errors.filter((e) => belongsTo(e.field, prefix));
  if (mine.length === 0) return null;
  return (
    <ul className="mt-1 text-xs text-red-700 dark:text-red-300">
      {mine.map((e) => (
        <li key={`${e.field}:${e.message}`}>
          {e.field && e.field !== prefix ? `${e.field}: ` : ""}
          {e.message}
          {e.line ? ` (line ${e.line})` : ""}
        </li>
      ))}
    </ul>
  );
}
