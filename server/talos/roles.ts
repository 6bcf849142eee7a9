// The Talos role each API method needs (from Talos's apid authorization rules), for explaining refusals.
export type TalosRole = "os:admin" | "os:operator" | "os:reader" | "os:etcd:backup";

const ADMIN: ReadonlySet<string> = new Set([
  "/machine.MachineService/ApplyConfiguration",
  "/machine.MachineService/Upgrade",
  "/machine.MachineService/Rollback",
  "/machine.LifecycleService/Upgrade",
  "/machine.LifecycleService/Install",
]);

const OPERATOR: ReadonlySet<string> = new Set([
  "/machine.MachineService/Reboot",
  "/machine.MachineService/ServiceRestart",
  "/machine.ImageService/Pull",
]);

/** The least role that may call `method`; COSI reads of Sensitive types (machine config, secrets) need admin. */
export function requiredRole(method: string, opts: { sensitive?: boolean } = {}): TalosRole {
  if (opts.sensitive || ADMIN.has(method)) return "os:admin";
  if (OPERATOR.has(method)) return "os:operator";
  return "os:reader";
}

/** Whether a certificate with `roles` may call `method`, so a refusal can be predicted before dialling. */
export function roleAllows(roles: readonly string[], needed: TalosRole): boolean {
  if (roles.includes("os:admin")) return true;
  if (needed === "os:operator") return roles.includes("os:operator");
  if (needed === "os:reader") return roles.some((r) => r === "os:operator" || r === "os:reader");
  return false;
}
