"use client";
// Changing one's own password.
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../_components/trpc";
import { Button, Card, Field, FormError, Notice } from "../../_components/ui";
import { useMe } from "../../_components/use-me";

export function AccountCard() {
  const trpc = useTRPC();
  const { me } = useMe();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent("");
        setNext("");
      },
    }),
  );
  if (!me?.hasPassword) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ currentPassword: current, newPassword: next });
  };
  return (
    <Card
      title="Your password"
      description={`Signed in as ${me.username}. Changing it signs out your other sessions.`}
    >
      <form onSubmit={submit} className="grid max-w-xl gap-3 sm:grid-cols-2">
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <Field
          label="New password (12 characters or more)"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <div className="flex items-center gap-3 sm:col-span-2">
          <Button type="submit" disabled={change.isPending}>
            Change password
          </Button>
          {change.isSuccess ? <Notice>Password changed.</Notice> : null}
        </div>
        <div className="sm:col-span-2">
          <FormError error={change.error} />
        </div>
      </form>
    </Card>
  );
}
