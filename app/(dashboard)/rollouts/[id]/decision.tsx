"use client";
// Approving or rejecting the wave that waits, with a comment; the server enforces four eyes and
// its refusal is shown as it says it. Below, every decision taken so far.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Untrusted } from "@/app/_components/untrusted-text";
import { formatTime } from "../../../_components/format";
import { Table } from "../../../_components/table";
import { useTRPC } from "../../../_components/trpc";
import { Button, Card, FormError } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";

export function Decision({
  rolloutId,
  wave,
  revision,
  author,
  onDecided,
}: {
  rolloutId: string;
  wave: { index: number; name: string };
  revision: number;
  /** Who created the rollout and who last changed its plan: neither may decide on it (four eyes). */
  author: { createdBy: string; lastChangedBy: string };
  onDecided: () => void;
}) {
  const trpc = useTRPC();
  const { may, me } = useMe();
  const [comment, setComment] = useState("");
  const [autoAdvance, setAutoAdvance] = useState(false);
  const decide = useMutation(
    trpc.rollouts.decide.mutationOptions({
      onSuccess: () => {
        setComment("");
        onDecided();
      },
    }),
  );
  if (!may("rollouts.approve"))
    return (
      <Card title={`${wave.name} awaits approval`}>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          An approver other than the rollout's author must approve it before it starts.
        </p>
      </Card>
    );
  const own =
    me?.username === author.createdBy
      ? "created this rollout"
      : me?.username === author.lastChangedBy
        ? "last changed this rollout's plan"
        : undefined;
  if (own)
    return (
      <Card title={`${wave.name} awaits approval`}>
        <p role="note" className="text-sm text-zinc-600 dark:text-zinc-400">
          You {own}, so another approver must approve or reject it (four-eyes rule).
        </p>
      </Card>
    );
  const send = (approve: boolean) =>
    decide.mutate({ rolloutId, waveIndex: wave.index, revision, approve, comment, autoAdvance });
  return (
    <Card
      title={`${wave.name} awaits approval`}
      description={`Your decision is for revision ${revision} of the plan shown below.`}
    >
      <div className="space-y-3">
        <label className="block text-sm font-medium">
          Comment
          <textarea
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            rows={2}
            className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950"
          />
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={autoAdvance} onChange={(e) => setAutoAdvance(e.target.checked)} />
          Advance automatically: start each following wave once the previous one baked healthy
        </label>
        <FormError error={decide.error} />
        <div className="flex gap-2">
          <Button disabled={decide.isPending} onClick={() => send(true)}>
            Approve {wave.name.toLowerCase()}
          </Button>
          <Button variant="danger" disabled={decide.isPending} onClick={() => send(false)}>
            Reject
          </Button>
        </div>
      </div>
    </Card>
  );
}

export function Approvals({
  approvals,
  waves,
}: {
  approvals: {
    id: string;
    waveIndex: number;
    revision: number;
    approved: boolean;
    autoAdvance: boolean;
    comment: string;
    username: string;
    at: Date;
    voidedAt: Date | null;
  }[];
  waves: { index: number; name: string }[];
}) {
  return (
    <Card title="Decisions">
      {approvals.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No decision yet.</p>
      ) : (
        <Table columns={["When", "Wave", "Decision", "By", "Comment"]}>
          {approvals.map((a) => (
            <tr key={a.id} className={a.voidedAt ? "text-zinc-400 line-through" : undefined}>
              <td className="px-3 py-2">{formatTime(a.at)}</td>
              <td className="px-3 py-2">
                {waves.find((w) => w.index === a.waveIndex)?.name ?? a.waveIndex} (rev. {a.revision})
              </td>
              <td className="px-3 py-2">
                {a.approved ? "approved" : "rejected"}
                {a.autoAdvance ? ", advance automatically" : ""}
                {a.voidedAt ? " — void: the plan changed" : ""}
              </td>
              <td className="px-3 py-2">{a.username}</td>
              <td className="px-3 py-2">
                <Untrusted text={a.comment} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
