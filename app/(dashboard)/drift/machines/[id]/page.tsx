// Earlier address of a machine's drift; it is now a tab of the machine's page.
import { redirect } from "next/navigation";

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  redirect(`/machines/${encodeURIComponent(id)}/drift`);
}
