"use client";
// Editing labels and site in place (operators only): one form, the server's message when refused.
import { useState } from "react";
import { labelsToText, textToLabels } from "./labels";
import { Button, Field, FormError } from "./ui";

export function PlacementEditor({
  labels,
  site,
  siteHint,
  onSave,
  onDone,
  pending,
  error,
}: {
  labels: Record<string, string>;
  site: string;
  siteHint: string;
  onSave: (v: { labels: Record<string, string>; site: string }) => void;
  onDone: () => void;
  pending: boolean;
  error: { message: string } | null;
}) {
  const [labelText, setLabelText] = useState(labelsToText(labels));
  const [siteText, setSiteText] = useState(site);
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ labels: textToLabels(labelText), site: siteText.trim() });
      }}
    >
      <Field
        label="Labels"
        placeholder="rack=r12, canary=true"
        value={labelText}
        onChange={(e) => setLabelText(e.target.value)}
      />
      <Field
        label="Site"
        placeholder={siteHint}
        value={siteText}
        onChange={(e) => setSiteText(e.target.value)}
      />
      <FormError error={error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          Save
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
