import { oauthProvider } from "./provider";

/**
 * The consent page's side of an interaction (app/(auth)/oauth/consent): what the client asks of
 * the signed-in person. An interaction is found by its uid (random) and only for the account that
 * signed in to it; the answer is posted to the interaction's own door (lib/oauth/interaction.ts).
 */
export interface ConsentRequest {
  uid: string;
  clientId: string;
  clientName: string;
  scopes: string[];
}

async function pendingConsent(uid: string, userId: number) {
  const provider = await oauthProvider();
  if (!provider || !/^[A-Za-z0-9_-]{1,64}$/.test(uid)) return null;
  const interaction = await provider.Interaction.find(uid);
  if (!interaction || interaction.prompt.name !== "consent" || interaction.session?.accountId !== String(userId)) return null;
  return { provider, interaction };
}

/** What the consent page shows, or null when there is no such consent to give (expired, another account's). */
export async function consentRequest(uid: string, userId: number): Promise<ConsentRequest | null> {
  const pending = await pendingConsent(uid, userId);
  if (!pending) return null;
  const { provider, interaction } = pending;
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  if (!client) return null;
  const scopes = String(interaction.params.scope ?? "").split(" ").filter(Boolean);
  return { uid, clientId, clientName: client.clientName ?? clientId, scopes };
}
