// Talos RBAC for the methods the simulator serves: the roles each full method path admits.
import type { ServerUnaryCall } from "@grpc/grpc-js";

const READ = ["os:admin", "os:operator", "os:reader"];
const READ_ETCD = [...READ, "os:etcd:backup"];
const OPERATE = ["os:admin", "os:operator"];
const ADMIN = ["os:admin"];

const METHOD_ROLES: Record<string, string[]> = {
  "/machine.MachineService/Version": READ,
  "/machine.MachineService/Hostname": READ,
  "/machine.MachineService/Memory": READ,
  "/machine.MachineService/SystemStat": READ,
  "/machine.MachineService/ServiceList": READ,
  "/machine.MachineService/Logs": READ,
  "/machine.MachineService/LogsContainers": READ,
  "/machine.MachineService/Events": READ,
  "/machine.MachineService/Dmesg": READ,
  "/machine.MachineService/Containers": READ,
  "/machine.MachineService/EtcdStatus": READ_ETCD,
  "/machine.MachineService/EtcdMemberList": READ_ETCD,
  "/machine.MachineService/Reboot": OPERATE,
  "/machine.MachineService/ServiceRestart": OPERATE,
  "/machine.MachineService/Shutdown": OPERATE,
  "/machine.MachineService/Upgrade": ADMIN,
  "/machine.MachineService/Rollback": ADMIN,
  "/machine.MachineService/ApplyConfiguration": ADMIN,
  "/machine.MachineService/Kubeconfig": ADMIN,
  "/machine.LifecycleService/Upgrade": ADMIN,
  "/machine.LifecycleService/Install": ADMIN,
  "/machine.ImageService/List": READ,
  "/machine.ImageService/Pull": OPERATE,
  "/cosi.resource.State/Get": READ,
  "/cosi.resource.State/List": READ,
  "/cosi.resource.State/Watch": READ,
  "/cosi.resource.State/Create": ADMIN,
  "/cosi.resource.State/Update": ADMIN,
  "/cosi.resource.State/Destroy": ADMIN,
};

/** Roles carried by the caller's client certificate (its Subject Organization values). */
export function callerRoles(call: Pick<ServerUnaryCall<unknown, unknown>, "getAuthContext">): string[] {
  const cert = call.getAuthContext().sslPeerCertificate;
  const o = cert?.subject?.O as string | string[] | undefined;
  if (!o) return [];
  return Array.isArray(o) ? o : [o];
}

export function allowed(method: string, roles: string[]): boolean {
  const needed = METHOD_ROLES[method] ?? ADMIN;
  return roles.some((r) => needed.includes(r));
}

export function isAdmin(roles: string[]): boolean {
  return roles.includes("os:admin");
}
