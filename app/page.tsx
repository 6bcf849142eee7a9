// The front page is the fleet overview.
import { redirect } from "next/navigation";

export default function Home() {
  redirect("/fleet");
}
