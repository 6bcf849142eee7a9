// etcd status and membership as seen from a control-plane node (workers answer Unimplemented).
import { Empty } from "../generated/google/protobuf/empty";
import { MachineServiceService } from "../generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { singleMessage } from "../replies";

export interface EtcdStatus {
  /** uint64 ids and counters as decimal strings, exact. */
  memberId: string;
  leader: string;
  protocolVersion: string;
  storageVersion: string;
  dbSize: string;
  dbSizeInUse: string;
  raftIndex: string;
  raftTerm: string;
  raftAppliedIndex: string;
  errors: string[];
  isLearner: boolean;
}

export interface EtcdMember {
  id: string;
  hostname: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export async function etcdStatus(caller: NodeCaller, target: CallTarget): Promise<EtcdStatus> {
  const def = MachineServiceService.etcdStatus;
  const spec = { operation: "Reading etcd status" };
  const reply = await caller.unary(def, Empty.create(), spec, target);
  const s = singleMessage(caller, def, spec, reply, target.node).memberStatus;
  return {
    memberId: s?.memberId ?? "0",
    leader: s?.leader ?? "0",
    protocolVersion: s?.protocolVersion ?? "",
    storageVersion: s?.storageVersion ?? "",
    dbSize: s?.dbSize ?? "0",
    dbSizeInUse: s?.dbSizeInUse ?? "0",
    raftIndex: s?.raftIndex ?? "0",
    raftTerm: s?.raftTerm ?? "0",
    raftAppliedIndex: s?.raftAppliedIndex ?? "0",
    errors: s?.errors ?? [],
    isLearner: s?.isLearner ?? false,
  };
}

export async function etcdMembers(
  caller: NodeCaller,
  target: CallTarget & { queryLocal?: boolean },
): Promise<EtcdMember[]> {
  const def = MachineServiceService.etcdMemberList;
  const spec = { operation: "Listing etcd members" };
  const reply = await caller.unary(def, { queryLocal: target.queryLocal ?? false }, spec, target);
  return singleMessage(caller, def, spec, reply, target.node).members.map((m) => ({
    id: m.id,
    hostname: m.hostname,
    peerUrls: m.peerUrls,
    clientUrls: m.clientUrls,
    isLearner: m.isLearner,
  }));
}
