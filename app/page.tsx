import { redirect } from "next/navigation";
import { currentSession } from "@/lib/web/session";

export const dynamic = "force-dynamic";

// The service's front door: your profile when signed in, the sign-in page otherwise.
export default async function Home() {
  redirect((await currentSession()) ? "/profile" : "/login");
}
