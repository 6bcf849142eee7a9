// The non-secret facts of a Talos credential, the only shape of one that leaves the server.
import type { Prisma } from "../../platform/db/generated/client";

/** A certificate this close to its end shows a warning. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Always say which columns are read, so the sealed key and the PEMs never leave by accident. */
export const credentialFactsSelect = {
  id: true,
  name: true,
  endpoints: true,
  role: true,
  certNotBefore: true,
  certNotAfter: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.TalosCredentialSelect;

export type CredentialRow = Prisma.TalosCredentialGetPayload<{ select: typeof credentialFactsSelect }>;

export interface CredentialFacts extends CredentialRow {
  /** Whole days until the certificate expires; negative once it has. */
  daysLeft: number;
  /** Expires within EXPIRY_WARNING_DAYS (and has not yet). */
  expiresSoon: boolean;
  expired: boolean;
  /** Names of the clusters Minos reaches with this credential. */
  clusters: string[];
  /** Those of them no other credential reaches (none of its CA is left): removing it leaves them without any. */
  soleClusters: string[];
}

export function expiryOf(notAfter: Date, now: Date) {
  const left = notAfter.getTime() - now.getTime();
  const expired = left <= 0;
  return {
    daysLeft: Math.floor(left / DAY_MS),
    expired,
    expiresSoon: !expired && left <= EXPIRY_WARNING_DAYS * DAY_MS,
  };
}

export function toFacts(row: CredentialRow, clusters: string[], now: Date, sole = false): CredentialFacts {
  return {
    id: row.id,
    name: row.name,
    endpoints: row.endpoints,
    role: row.role,
    certNotBefore: row.certNotBefore,
    certNotAfter: row.certNotAfter,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...expiryOf(row.certNotAfter, now),
    clusters,
    soleClusters: sole ? clusters : [],
  };
}
