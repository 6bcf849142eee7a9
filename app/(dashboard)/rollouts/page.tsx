// Rollouts section: upgrade campaigns in waves, newest first.
import type { Metadata } from "next";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { NewRolloutLink, RolloutsList } from "./rollouts-list";
import { RolloutsTabs } from "./rollouts-tabs";

export const metadata: Metadata = { title: "Rollouts" };

export default function Page() {
  const { label, description } = section("/rollouts");
  return (
    <>
      <PageHeader title={label} description={description} actions={<NewRolloutLink />} />
      <RolloutsTabs current="rollouts" />
      <RolloutsList />
    </>
  );
}
