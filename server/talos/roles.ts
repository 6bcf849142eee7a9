// The Talos roles each API method admits (Talos's machined authorization rules), to explain and predict refusals.
export type TalosRole = "os:admin" | "os:operator" | "os:reader" | "os:etcd:backup";

const READ: readonly TalosRole[] = ["os:admin", "os:operator", "os:reader"];
const READ_ETCD: readonly TalosRole[] = [...READ, "os:etcd:backup"];
const OPERATE: readonly TalosRole[] = ["os:admin", "os:operator"];
const ADMIN: readonly TalosRole[] = ["os:admin"];

const RULES: Record<string, readonly TalosRole[]> = {
  // Talos also admits os:reader here, but only in maintenance mode (checked by the handler).
  "/machine.MachineService/ApplyConfiguration": ADMIN,
  "/machine.MachineService/Upgrade": ADMIN,
  "/machine.MachineService/Rollback": ADMIN,
  "/machine.MachineService/Kubeconfig": ADMIN,
  "/machine.LifecycleService/Upgrade": ADMIN,
  "/machine.LifecycleService/Install": ADMIN,
  "/machine.MachineService/Reboot": OPERATE,
  "/machine.MachineService/Shutdown": OPERATE,
  "/machine.MachineService/ServiceRestart": OPERATE,
  "/machine.ImageService/Pull": OPERATE,
  "/machine.MachineService/EtcdStatus": READ_ETCD,
  "/machine.MachineService/EtcdMemberList": READ_ETCD,
};

/** Roles that may call `method`; COSI reads of Sensitive types (machine config, secrets) need os:admin. */
export function rolesFor(method: string, opts: { sensitive?: boolean } = {}): readonly TalosRole[] {
  if (opts.sensitive) return ADMIN;
  return RULES[method] ?? READ;
}

/** The least role to ask a user for when `method` is refused. */
export function requiredRole(method: string, opts: { sensitive?: boolean } = {}): TalosRole {
  const allowed = rolesFor(method, opts);
  if (allowed.includes("os:reader")) return "os:reader";
  if (allowed.includes("os:operator")) return "os:operator";
  return "os:admin";
}

/** Whether a certificate carrying `roles` may call `method`, so the UI can grey out what would be refused. */
export function roleAllows(
  roles: readonly string[],
  method: string,
  opts: { sensitive?: boolean } = {},
): boolean {
  const allowed = rolesFor(method, opts) as readonly string[];
  return roles.some((r) => allowed.includes(r));
}
