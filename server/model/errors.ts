// The one error type of Minos. `userMessage` is what a person sees (what went wrong, what to do);
// `message` and `cause` are for the server log only. Mapped to tRPC and HTTP codes in one place.
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "UNAVAILABLE"
  | "INTERNAL";

export class AppError extends Error {
  override name = "AppError";
  readonly code: AppErrorCode;
  readonly userMessage: string;

  constructor(code: AppErrorCode, opts: { message?: string; userMessage: string; cause?: unknown }) {
    super(opts.message ?? opts.userMessage, { cause: opts.cause });
    this.code = code;
    this.userMessage = opts.userMessage;
  }
}

export const trpcCodeOf = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
} as const satisfies Record<AppErrorCode, string>;

export const httpStatusOf: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** What a person may see for any thrown value: AppError's userMessage, or a generic line. */
export function userMessageOf(err: unknown, reference?: string): string {
  if (err instanceof AppError) return err.userMessage;
  const ref = reference ? ` (reference ${reference})` : "";
  return `Something went wrong on the server${ref}. The details are in the server log.`;
}
