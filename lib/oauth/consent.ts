import { database } from "@/lib/db";
import { listConsents } from "@/lib/db/oauth-consents";
import { oauthProvider } from "./provider";

/**
 * The pages' side of consent. The consent page (app/(auth)/oauth/consent): what the client asks of
 * the signed-in person. An interaction is found by its uid (random) and only for the account that
 * signed in to it; the answer is posted to the interaction's own door (lib/oauth/interaction.ts).
 * The profile's Connected apps: the apps the person allowed (lib/oauth/grants.ts remembers them).
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

/** An app in the profile's Connected apps: what the person allowed it, and when it last got tokens. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: string[];
  allowedAt: Date;
  lastUsedAt: Date | null;
}

/**
 * The apps the account allowed (remembered consent), most recently used first; apps since removed
 * by the operator are left out. Null when the provider is off.
 */
export async function connectedApps(userId: number): Promise<ConnectedApp[] | null> {
  const provider = await oauthProvider();
  if (!provider) return null;
  const consents = await listConsents(database, userId);
  const apps = await Promise.all(
    consents.map(async (consent): Promise<ConnectedApp | null> => {
      const client = await provider.Client.find(consent.clientId);
      if (!client) return null;
      const scopes = consent.scopes.split(" ").filter(Boolean);
      return { clientId: consent.clientId, name: client.clientName ?? consent.clientId, scopes, allowedAt: consent.grantedAt, lastUsedAt: consent.lastUsedAt };
    }),
  );
  return apps.filter((app) => app !== null);
}
