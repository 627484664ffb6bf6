import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions, nextAuthRequestCleanup } from "@/lib/web/next-auth";

export const dynamic = "force-dynamic";

// Built per request so the options read the validated configuration at run time, not at build.
const handler = (request: NextRequest, context: { params: Promise<{ nextauth: string[] }> }) =>
  nextAuthRequestCleanup(request) ?? NextAuth(authOptions())(request, context);

export { handler as GET, handler as POST };
