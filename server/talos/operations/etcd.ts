// etcd status and membership as seen from a control-plane node (workers answer Unimplemented).
import { Empty } from "@/proto/generated/google/protobuf/empty";
import { MachineServiceService } from "@/proto/generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { callNode, unaryOperation } from "../operation";

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

export const ETCD_STATUS_OP = unaryOperation({
  def: MachineServiceService.etcdStatus,
  spec: () => ({ operation: "Reading etcd status" }),
  request: () => Empty.create(),
  result: (m): EtcdStatus => {
    const s = m.memberStatus;
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
  },
});

export const ETCD_MEMBERS_OP = unaryOperation({
  def: MachineServiceService.etcdMemberList,
  spec: () => ({ operation: "Listing etcd members" }),
  request: (o: { queryLocal?: boolean }) => ({ queryLocal: o.queryLocal ?? false }),
  result: (m): EtcdMember[] =>
    m.members.map((x) => ({
      id: x.id,
      hostname: x.hostname,
      peerUrls: x.peerUrls,
      clientUrls: x.clientUrls,
      isLearner: x.isLearner,
    })),
});

export function etcdStatus(caller: NodeCaller, target: CallTarget): Promise<EtcdStatus> {
  return callNode(caller, ETCD_STATUS_OP, target);
}

export function etcdMembers(
  caller: NodeCaller,
  target: CallTarget & { queryLocal?: boolean },
): Promise<EtcdMember[]> {
  return callNode(caller, ETCD_MEMBERS_OP, target);
}
