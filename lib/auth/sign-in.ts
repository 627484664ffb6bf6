import { atomically, database, type Tx } from "@/lib/db";
import { limitClient } from "./limits";
import { proofOf, type SignInMethod, type SignInProof } from "./proof";
import { startAppSession, startBrowserSession, type SessionKind } from "./sessions";
import { requiresSecondFactor, startSecondStep, verifySecondStep, type SecondStepInput } from "./two-factor";
import type { Caller, ClientInfo, Tokens, User } from "./types";

/**
 * The one sign-in decision, for every door (the JSON API, the browser's forms, next-auth's Google
 * sign-in): once a first factor passed, a session of the door's kind (an app's, with tokens; a
 * browser's, whose id goes into its cookie), or — when the account has two-factor on and the proof
 * has no second factor — the token of a second step. The doors only present the outcome or write
 * cookies; what is asked and counted is decided here.
 */

export type SignInOutcome<D extends SessionKind = SessionKind> =
  | ({ kind: "session"; user: User; sessionId: string } & (D extends "api" ? { tokens: Tokens } : { tokens?: undefined }))
  | { kind: "second-step"; user: User; mfaToken: string };

/** An app's outcome (the JSON API's presenters read its tokens). */
export type AppSignIn = SignInOutcome<"api">;

type SessionOf<D extends SessionKind> = Extract<SignInOutcome<D>, { kind: "session" }>;

async function startSession<D extends SessionKind>(tx: Tx, user: User, client: ClientInfo, proof: SignInProof, door: D, current?: Caller | null) {
  if (door === "api") {
    const { sessionId, tokens } = await startAppSession(tx, user, client, proof);
    return { kind: "session", user, sessionId, tokens } as unknown as SessionOf<D>;
  }
  const sessionId = await startBrowserSession(tx, user, client, proof, current);
  return { kind: "session", user, sessionId } as SessionOf<D>;
}

/**
 * After a first factor passed for `user`: a session through `door`, or the second step. `current`
 * is the browser's session when it has one: signed in as `user` already, it is renewed, not doubled.
 */
export function signIn<D extends SessionKind>(user: User, client: ClientInfo, proof: SignInMethod | SignInProof, door: D, current?: Caller | null): Promise<SignInOutcome<D>> {
  return signInWithin(database, user, client, proof, door, current);
}

/**
 * signIn, written in `tx` when it is a transaction (a login settles its password attempt in the
 * same commit), else in one of its own.
 */
export function signInWithin<D extends SessionKind>(
  tx: Tx,
  user: User,
  client: ClientInfo,
  proof: SignInMethod | SignInProof,
  door: D,
  current?: Caller | null,
): Promise<SignInOutcome<D>> {
  const shown = proofOf(proof);
  return atomically(tx, async (tx): Promise<SignInOutcome<D>> => {
    if (requiresSecondFactor(user) && !shown.secondFactor) {
      return { kind: "second-step", user, mfaToken: await startSecondStep(tx, user, shown.method) };
    }
    return startSession(tx, user, client, shown, door, current);
  });
}

/**
 * The second step, for every door: the client address's count (the verify group, as for every
 * typed code), the code for the token of the first step, then the session.
 */
export async function completeSignIn<D extends SessionKind>(
  mfaToken: string,
  input: SecondStepInput,
  client: ClientInfo,
  door: D,
  current?: Caller | null,
): Promise<SessionOf<D>> {
  await limitClient(database, "verify", client.ip);
  const { user, method, secondFactor } = await verifySecondStep(mfaToken, input, client);
  return startSession(database, user, client, { method, secondFactor }, door, current);
}
