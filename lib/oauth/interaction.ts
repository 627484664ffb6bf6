import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeJwt } from "jose";
import type Provider from "oidc-provider";
import type { Grant, InteractionResults } from "oidc-provider";
import type { Caller } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import { clientInfo, type ClientInfo } from "@/lib/http/client-address";
import { log } from "@/lib/log";
import { now } from "@/lib/clock";
import { addMissing, rememberConsent, saveForSession } from "./grants";
import { emailFromLoginHint, needsNewProof, maxAgeOf, providerLoginOf } from "./login";
import { browserCaller, FIRST_PARTY, INTERACTION_PATH, oauthProvider } from "./provider";

/**
 * The provider's interactions are this service's pages (ADR 015). The provider sends the browser
 * to /oauth/interaction/<uid>; this handler (outside Next.js, where the provider's own interaction
 * cookie can be checked) decides:
 * - login: a signed-out browser goes to /login?next=<this interaction> (the login page with
 *   everything it does; `login_hint` fills its Email field), and comes back here; a signed-in one
 *   is not asked again, unless the app asked for a fresh proof (`prompt=login`, `max_age`) that its
 *   last one does not give: then /login asks it to sign in again (`prompt=login` there). The
 *   provider's login is then the browser session's, its last proof as auth_time, amr and acr;
 * - consent: a first-party client gets it at once; any other goes to the consent page
 *   (/oauth/consent, app/(auth)/oauth/consent), which names the client and the scopes, and whose
 *   Allow and Deny post back here: a plain form post, so the browser itself follows the provider's
 *   redirects (a server action's redirect would be followed by Next.js's router as a page fetch,
 *   spending the provider's one-time resume). The post is this browser's only if it carries the
 *   interaction's cookie (SameSite=Lax: never sent on another site's post) and this site's Origin.
 */
export async function answerInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const provider = await oauthProvider();
  if (!provider) return notFound(res);
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    // No interaction cookie, or the interaction expired: there is nothing to resume.
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    res.end("This sign-in request has expired or was started in another browser. Go back to the app and try again.");
    return;
  }
  const here = `${INTERACTION_PATH}${details.uid}`;
  const caller = await browserCaller(req.headers.cookie);
  if (req.method === "POST") return answerConsentForm(provider, req, res, details, caller, here);
  if (req.method !== "GET" && req.method !== "HEAD") return notAllowed(res);
  if (details.prompt.name === "login") return answerLogin(provider, req, res, details, caller, here);
  if (details.prompt.name === "consent") {
    if (!caller || String(caller.user.id) !== details.session?.accountId) return redirect(res, `/login?next=${encodeURIComponent(here)}`);
    const client = await provider.Client.find(String(details.params.client_id));
    if (client?.metadata()[FIRST_PARTY] === true) {
      const grant = await grantWhatIsAsked(provider, details, caller);
      if (!grant) return redirect(res, `/login?next=${encodeURIComponent(here)}`);
      return finish(provider, req, res, { consent: { grantId: grant.jti } }, true);
    }
    return redirect(res, `/oauth/consent?interaction=${encodeURIComponent(details.uid)}`);
  }
  log.warn("oauth: an interaction this service does not handle", { prompt: details.prompt.name });
  return finish(provider, req, res, { error: "access_denied", error_description: "interaction not supported" }, false);
}

type Interaction = InstanceType<Provider["Interaction"]>;

/** The account a request names: its `id_token_hint`'s subject (the provider verified the token), or an ID token `sub` asked for by value. */
function subjectNamedBy(params: Record<string, unknown>): string | undefined {
  try {
    if (typeof params.id_token_hint === "string") return String(decodeJwt(params.id_token_hint).sub);
    if (typeof params.claims === "string") {
      const value = (JSON.parse(params.claims) as { id_token?: { sub?: { value?: unknown } } }).id_token?.sub?.value;
      if (typeof value === "string") return value;
    }
  } catch {
    // Not readable: the provider has refused such a request already.
  }
  return undefined;
}

/** The login page, coming back to this interaction; `again` asks a signed-in person to sign in again. */
function loginPage(here: string, email: string | undefined, again = false): string {
  const query = new URLSearchParams({ next: here });
  if (email) query.set("email", email);
  if (again) query.set("prompt", "login");
  return `/login?${query}`;
}

/**
 * The provider's login prompt. A browser that is signed in and whose last proof answers what the
 * app asked for is signed in to the provider at once, with that proof. An app that names another
 * account (`id_token_hint`) gets login_required, as OpenID Connect Core 3.1.2.1 says; a request
 * this browser already answered and that is still asked (an essential `acr` it cannot give) gets
 * the provider's error instead of another round.
 */
async function answerLogin(provider: Provider, req: IncomingMessage, res: ServerResponse, details: Interaction, caller: Caller | null, here: string) {
  if (!caller) return redirect(res, loginPage(here, emailFromLoginHint(details.params.login_hint)));
  const { reasons } = details.prompt;
  // The provider checks these only on the request itself, not when the interaction resumes.
  const named = subjectNamedBy(details.params);
  if (named !== undefined && named !== String(caller.user.id)) {
    return finish(provider, req, res, { error: "login_required", error_description: "the signed-in account is not the one the request names" }, false);
  }
  if (needsNewProof(reasons, caller.proof, { requestedAt: details.iat ?? 0, maxAge: maxAgeOf(details.params) }, now())) {
    return redirect(res, loginPage(here, caller.user.email, true));
  }
  const login = providerLoginOf(caller);
  const answered = details.lastSubmission?.login as { accountId?: string; ts?: number } | undefined;
  if (answered?.accountId === login.accountId && answered.ts === login.ts) {
    return finish(provider, req, res, { error: "unmet_authentication_requirements", error_description: "this sign-in cannot give what the request asks" }, false);
  }
  if (details.session?.accountId && details.session.accountId !== login.accountId) await forgetProviderSession(provider, details);
  return finish(provider, req, res, { login: { ...login } }, false);
}

/**
 * Another account signed in here since the provider's session began (a sign-out and someone else's
 * sign-in; another account's sign-in for `prompt=login`): that provider session is over. Without
 * this the provider would stop on a page of its own to sign the last account out first.
 */
async function forgetProviderSession(provider: Provider, details: Interaction) {
  const uid = details.session?.uid;
  if (uid) await (await provider.Session.findByUid(uid))?.destroy();
  details.session = undefined;
  await details.persist();
}

/** The consent page's Allow or Deny (`decision=allow|deny`). */
async function answerConsentForm(provider: Provider, req: IncomingMessage, res: ServerResponse, details: Interaction, caller: Awaited<ReturnType<typeof browserCaller>>, here: string) {
  if (req.headers.origin !== new URL(config().appUrl).origin) return forbidden(res);
  const form = new URLSearchParams(await smallBody(req));
  if (details.prompt.name !== "consent") return redirect(res, here);
  if (!caller || String(caller.user.id) !== details.session?.accountId) return redirect(res, `/login?next=${encodeURIComponent(here)}`);
  if (form.get("decision") === "allow") {
    const grant = await grantWhatIsAsked(provider, details, caller);
    if (!grant) return redirect(res, `/login?next=${encodeURIComponent(here)}`);
    // Remembered per app and account: a later request for no more than this is not asked again.
    await rememberConsent(caller, grant.clientId!, grant, clientOf(req));
    return finish(provider, req, res, { consent: { grantId: grant.jti } }, true);
  }
  return finish(provider, req, res, { error: "access_denied", error_description: "End-User aborted interaction" }, false);
}

/** A form's body, up to 4 KiB (the consent form sends one field). */
function smallBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 4096) reject(new Error("consent form too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/**
 * Grants what the interaction's prompt says is missing, in the grant it already has or a new one,
 * bound to the caller's session (which ends it when revoked, ADR 015); null when that session
 * ended meanwhile.
 */
export async function grantWhatIsAsked(provider: Provider, interaction: Pick<Interaction, "grantId" | "prompt" | "params" | "session">, caller: Caller): Promise<Grant | null> {
  const accountId = interaction.session!.accountId;
  const clientId = String(interaction.params.client_id);
  const grant = (interaction.grantId && (await provider.Grant.find(interaction.grantId))) || new provider.Grant({ accountId, clientId });
  addMissing(grant, interaction.prompt.details as Parameters<typeof addMissing>[1]);
  return (await saveForSession(grant, caller)) ? grant : null;
}

/** Who sent a request to this door, as the pages' services take it. */
function clientOf(req: IncomingMessage): ClientInfo {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  return clientInfo(headers);
}

async function finish(provider: Provider, req: IncomingMessage, res: ServerResponse, result: InteractionResults, merge: boolean) {
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
}

function redirect(res: ServerResponse, location: string) {
  res.writeHead(303, { location, "cache-control": "no-store" });
  res.end();
}

function forbidden(res: ServerResponse) {
  res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
  res.end("Forbidden");
}

function notAllowed(res: ServerResponse) {
  res.writeHead(405, { allow: "GET, HEAD, POST", "content-type": "text/plain; charset=utf-8" });
  res.end("Method Not Allowed");
}

function notFound(res: ServerResponse) {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  res.end("Not Found");
}
