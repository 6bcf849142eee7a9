// Settings: one's own account and API tokens; users, Talos credentials and Kubernetes read access for
// administrators.
import type { Metadata } from "next";
import { section } from "../../_components/nav-items";
import { PageHeader } from "../../_components/page-header";
import { AccountCard } from "./account-card";
import { CredentialsCard } from "./credentials-card";
import { KubeReadersCard } from "./kube-readers-card";
import { TokensCard } from "./tokens-card";
import { UsersCard } from "./users-card";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  const { label, description } = section("/settings");
  return (
    <>
      <PageHeader title={label} description={description} />
      <div className="space-y-6">
        <AccountCard />
        <TokensCard />
        <UsersCard />
        <CredentialsCard />
        <KubeReadersCard />
      </div>
    </>
  );
}
