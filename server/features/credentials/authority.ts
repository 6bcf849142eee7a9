// Which credentials can reach a cluster: Talos accepts any client certificate its CA issued.

/** A CA certificate (PEM) reduced to what identifies it, ignoring line breaks and spacing. */
export function authorityKey(caPem: string): string {
  return caPem.replace(/\s+/g, "");
}
