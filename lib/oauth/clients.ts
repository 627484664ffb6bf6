import { randomBytes } from "node:crypto";
import type { ClientMetadata } from "oidc-provider";
import { atomically, database, type Tx } from "@/lib/db";
import { deleteOAuthRowsOfClient, findOAuthRow, listOAuthRows, upsertOAuthRow } from "@/lib/db/oauth";
import { deleteConsentsOfClient } from "@/lib/db/oauth-consents";
import { OAuthAdapter, oauthRowOf } from "./adapter";
import { FIRST_PARTY, oauthProvider } from "./provider";

/**
 * The OpenID provider's registered clients (ADR 015), managed from a shell on the server
 * (`npm run oauth:client`, scripts/oauth-client.ts), never over HTTP. A confidential client's secret
 * is shown once, at registration, and stored sealed (lib/oauth/adapter.ts).
 */
export interface NewClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** No secret: PKCE alone (a mobile app, a single-page app, a CLI). */
  public?: boolean;
  /** Adds the client credentials grant to the code grant (confidential clients only). */
  clientCredentials?: boolean;
  /** Not asked for consent (an app of the service's own operator). */
  firstParty?: boolean;
}

export interface ClientSummary {
  client_id: string;
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  first_party: boolean;
}

export class ClientError extends Error {
  override name = "ClientError";
}

async function provider() {
  const p = await oauthProvider();
  if (!p) throw new ClientError("The OpenID provider is off: set OIDC_RSA_PRIVATE_KEY (ADR 015).");
  return p;
}

/** Registers a client; its id, and its secret unless it is public. */
export async function addClient(input: NewClient): Promise<{ client_id: string; client_secret?: string }> {
  return storeClient(database, await checkClient(input));
}

/** A client the provider's checks accepted, not stored yet (its secret still in the clear). */
export interface CheckedClient {
  metadata: ClientMetadata & { client_id: string };
}

/**
 * The client `input` describes, with a new id (and secret), checked by the provider; ClientError
 * when refused. Apart from storeClient, so that no transaction is held open while it runs.
 */
export async function checkClient(input: NewClient): Promise<CheckedClient> {
  if (!input.name.trim()) throw new ClientError("--name is required");
  if (input.redirectUris.length === 0) throw new ClientError("at least one --redirect-uri is required");
  if (input.public && input.clientCredentials) throw new ClientError("a public client cannot use the client credentials grant");
  const clientId = randomBytes(16).toString("base64url");
  const clientSecret = input.public ? undefined : randomBytes(32).toString("base64url");
  const native = input.public && input.redirectUris.some((uri) => !uri.startsWith("https://"));
  const metadata: CheckedClient["metadata"] = {
    client_id: clientId,
    client_name: input.name.trim(),
    application_type: native ? "native" : "web",
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris ?? [],
    response_types: ["code"],
    grant_types: ["authorization_code", "refresh_token", ...(input.clientCredentials ? ["client_credentials"] : [])],
    token_endpoint_auth_method: input.public ? "none" : "client_secret_basic",
    [FIRST_PARTY]: input.firstParty === true,
    ...(clientSecret ? { client_secret: clientSecret } : {}),
  };
  try {
    await (await provider()).Client.validate(metadata);
  } catch (error) {
    const e = error as { error_description?: string; message?: string };
    throw new ClientError(e.error_description ?? e.message ?? String(error));
  }
  return { metadata };
}

/** Writes a checked client in `tx` (the console writes its audit event in the same commit); its id, and its secret if it has one. */
export async function storeClient(tx: Tx, { metadata }: CheckedClient): Promise<{ client_id: string; client_secret?: string }> {
  await upsertOAuthRow(tx, oauthRowOf("Client", metadata.client_id, metadata, 0));
  const secret = metadata.client_secret;
  return typeof secret === "string" ? { client_id: metadata.client_id, client_secret: secret } : { client_id: metadata.client_id };
}

/** Every registered client, oldest first, without secrets. */
export async function listClients(): Promise<ClientSummary[]> {
  return (await listOAuthRows(database, "Client")).map((row) => {
    const m = JSON.parse(row.payload) as Record<string, unknown>;
    return {
      client_id: row.id,
      client_name: String(m.client_name ?? ""),
      redirect_uris: (m.redirect_uris as string[]) ?? [],
      post_logout_redirect_uris: (m.post_logout_redirect_uris as string[]) ?? [],
      grant_types: (m.grant_types as string[]) ?? [],
      token_endpoint_auth_method: String(m.token_endpoint_auth_method ?? "client_secret_basic"),
      first_party: m[FIRST_PARTY] === true,
    };
  });
}

/**
 * Removes a client with everything it was given: its grants, codes and tokens, and every account's
 * consent to it (it leaves Connected apps). False when there is no such client.
 */
export async function removeClient(clientId: string, tx: Tx = database): Promise<boolean> {
  const removed = await atomically(tx, async (tx) => {
    if (!(await findOAuthRow(tx, "Client", clientId))) return false;
    await deleteConsentsOfClient(tx, clientId);
    await deleteOAuthRowsOfClient(tx, clientId);
    return true;
  });
  // Also when `tx` is still open: a read meanwhile finds the row and caches it again for a few
  // seconds at most (OAuthAdapter's client cache), as on another instance.
  OAuthAdapter.forget(clientId);
  return removed;
}

/** The name a page shows for a client (its registered name, else its id); "" for no such client. */
export async function clientDisplayName(clientId: string): Promise<string> {
  if (!clientId || clientId.length > 256) return "";
  const row = await findOAuthRow(database, "Client", clientId);
  if (!row) return "";
  return String((JSON.parse(row.payload) as { client_name?: string }).client_name || clientId);
}
