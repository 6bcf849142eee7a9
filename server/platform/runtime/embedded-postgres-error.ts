// The embedded Postgres cannot be set up, for a reason the operator can fix: the message says what
// went wrong and what to do, and is printed as it is (no stack trace).
export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}
