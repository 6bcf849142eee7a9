// Which credentials can reach a cluster: Talos accepts any client certificate its CA issued.

/** Whether two CA certificates (PEM) are the same, ignoring line breaks and spacing. */
export function sameAuthority(caPemA: string, caPemB: string): boolean {
  const body = (pem: string) => pem.replace(/\s+/g, "");
  return body(caPemA) === body(caPemB);
}
