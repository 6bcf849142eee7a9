// Every permission a procedure or HTTP route can require. Deny by default: a procedure without a
// declared permission is refused (server/trpc/procedures.ts).
export const permissions = ["fleet.read"] as const;

export type Permission = (typeof permissions)[number];
