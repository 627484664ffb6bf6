import NextAuth from "next-auth";
import { authOptions } from "@/lib/web/next-auth";

export const dynamic = "force-dynamic";

// Built per request so the options read the validated configuration at run time, not at build.
const handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) =>
  NextAuth(authOptions())(request, context);

export { handler as GET, handler as POST };
