import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { unexpectedErrorResponse } from "@/lib/api/errors";
import { requestIdFrom } from "@/lib/http/client-address";
import { authOptions, nextAuthRequestCleanup, type SessionCheck } from "@/lib/web/next-auth";

export const dynamic = "force-dynamic";

// Built per request so the options read the validated configuration at run time, not at build.
async function handler(request: NextRequest, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  const cleanup = nextAuthRequestCleanup(request);
  if (cleanup) return cleanup;
  const check: SessionCheck = {};
  const response = await NextAuth(authOptions(check))(request, context);
  // A session that could not be checked (the database is down) has not ended: a 503, and the
  // cookie stays, instead of next-auth's "signed out" that deletes it.
  if (check.failure === undefined) return response;
  return unexpectedErrorResponse(check.failure, { requestId: requestIdFrom(request.headers), path: request.nextUrl.pathname });
}

export { handler as GET, handler as POST };
