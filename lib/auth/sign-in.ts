import { startAppSession, type SignInMethod, type WithSignIn } from "./sessions";
import { completeSecondStep, requiresSecondFactor, startSecondStep, type SecondStepInput } from "./two-factor";
import type { ClientInfo, Tokens, User } from "./types";

/**
 * After a first factor passed for `user`: a session for an app, or — when the account has
 * two-factor on — the token of the second step, which the app exchanges for a session with a code.
 * `alsoCommit` is committed with whichever of the two it is.
 */
export type AppSignIn =
  | { kind: "session"; user: User; sessionId: string; tokens: Tokens }
  | { kind: "second-step"; user: User; mfaToken: string };

export async function signInApp(user: User, client: ClientInfo, method: SignInMethod, alsoCommit?: WithSignIn): Promise<AppSignIn> {
  if (requiresSecondFactor(user)) return { kind: "second-step", user, mfaToken: await startSecondStep(user, method, alsoCommit) };
  const { sessionId, tokens } = await startAppSession(user, client, method, alsoCommit);
  return { kind: "session", user, sessionId, tokens };
}

/** The second step of an app's sign-in: a code for the token of the first; then the session. */
export async function completeAppSignIn(mfaToken: string, input: SecondStepInput, client: ClientInfo) {
  const { user, method, secondFactor } = await completeSecondStep(mfaToken, input, client);
  const { sessionId, tokens } = await startAppSession(user, client, { method, secondFactor });
  return { kind: "session" as const, user, sessionId, tokens };
}
