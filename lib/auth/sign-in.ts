import { limitClient } from "./limits";
import { proofOf, type SignInMethod, type SignInProof } from "./proof";
import { startAppSession, startBrowserSession, type SessionClient, type WithSignIn } from "./sessions";
import { requiresSecondFactor, startSecondStep, verifySecondStep, type SecondStepInput } from "./two-factor";
import type { ClientInfo, Tokens, User } from "./types";

/**
 * The one sign-in decision, for every door (the JSON API, the browser's forms, next-auth's Google
 * sign-in): once a first factor passed, a session of the door's kind (an app's, with tokens; a
 * browser's, whose id goes into its cookie), or — when the account has two-factor on and the proof
 * has no second factor — the token of a second step. The doors only present the outcome or write
 * cookies; what is asked and counted is decided here.
 */

export type SignInOutcome<D extends SessionClient = SessionClient> =
  | ({ kind: "session"; user: User; sessionId: string } & (D extends "api" ? { tokens: Tokens } : { tokens?: undefined }))
  | { kind: "second-step"; user: User; mfaToken: string };

/** An app's outcome (the JSON API's presenters read its tokens). */
export type AppSignIn = SignInOutcome<"api">;

type SessionOf<D extends SessionClient> = Extract<SignInOutcome<D>, { kind: "session" }>;

async function startSession<D extends SessionClient>(user: User, client: ClientInfo, proof: SignInProof, door: D, alsoCommit?: WithSignIn) {
  if (door === "api") {
    const { sessionId, tokens } = await startAppSession(user, client, proof, alsoCommit);
    return { kind: "session", user, sessionId, tokens } as unknown as SessionOf<D>;
  }
  const sessionId = await startBrowserSession(user, client, proof, alsoCommit);
  return { kind: "session", user, sessionId } as SessionOf<D>;
}

/**
 * After a first factor passed for `user`: a session through `door`, or the second step. `alsoCommit`
 * is committed with whichever of the two it is (a login settles its password attempt there).
 */
export async function signIn<D extends SessionClient>(
  user: User,
  client: ClientInfo,
  proof: SignInMethod | SignInProof,
  door: D,
  alsoCommit?: WithSignIn,
): Promise<SignInOutcome<D>> {
  const shown = proofOf(proof);
  if (requiresSecondFactor(user) && !shown.secondFactor) {
    return { kind: "second-step", user, mfaToken: await startSecondStep(user, shown.method, alsoCommit) };
  }
  return startSession(user, client, shown, door, alsoCommit);
}

/**
 * The second step, for every door: the client address's count (the verify group, as for every
 * typed code), the code for the token of the first step, then the session.
 */
export async function completeSignIn<D extends SessionClient>(
  mfaToken: string,
  input: SecondStepInput,
  client: ClientInfo,
  door: D,
): Promise<SessionOf<D>> {
  await limitClient("verify", client.ip);
  const { user, method, secondFactor } = await verifySecondStep(mfaToken, input, client);
  return startSession(user, client, { method, secondFactor }, door);
}
