// Which fields of Talos machine configuration documents hold secrets: by field name, wherever it appears, and
// by exact path for names that are not secret everywhere. Values are also checked by shape (redact.ts).

/** Field names whose scalar value is secret in every document (case-insensitive). */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(
  [
    "token", // machine.token (trustd join), cluster.token (bootstrap token)
    "secret", // cluster.secret
    "key", // every *.key of a key pair: machine.ca, cluster.ca, aggregatorCA, serviceAccount, etcd.ca, clientIdentity
    "crt", // certificates of CAs and identities (public, but CA material is not shown)
    "ca", // registries.config.*.tls.ca
    "password", // registries.config.*.auth, RegistryAuthConfig
    "auth", // registries.config.*.auth.auth (base64 user:password)
    "identityToken",
    "passphrase", // systemDiskEncryption / VolumeConfig encryption keys[].static.passphrase
    "privateKey", // WireGuard
    "presharedKey",
    "aescbcEncryptionSecret",
    "secretboxEncryptionSecret",
    "certificates", // TrustedRootsConfig
    "bootstrapToken",
    "joinToken",
  ].map((n) => n.toLowerCase()),
);

/** Field names whose value may carry secrets in free text: replaced as a whole. */
export const SECRET_CONTENT_FIELDS: ReadonlySet<string> = new Set([
  "contents", // cluster.inlineManifests[].contents (Secrets, tokens in manifests)
  "content", // machine.files[].content, ExtensionServiceConfig configFiles[].content
]);

/** Exact v1alpha1 paths (dotted, lists as []) that are secret although their name is generic. */
export const SECRET_PATHS: ReadonlySet<string> = new Set(["cluster.id"]);

/** Environment-variable names that look like credentials (machine.env, ExtensionServiceConfig environment). */
export const SECRET_ENV_NAME =
  /(secret|token|password|passwd|passphrase|credential|api[_-]?key|private[_-]?key|auth)/i;
