import { requireFreshProof } from "@/lib/auth/proof";
import type { Caller, ClientInfo } from "@/lib/auth/types";
import { transaction } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { AppError } from "@/lib/errors";
import { checkClient, ClientError, storeClient, type CheckedClient, clientDisplayName, listClients, removeClient, type ClientSummary, type NewClient } from "@/lib/oauth/clients";
import { oauthProvider } from "@/lib/oauth/provider";
import { requireAdmin } from "./access";

/**
 * The OpenID provider's clients from the console (the Apps page): the same registry as
 * `npm run oauth:client` (lib/oauth/clients.ts), for admins only. Adding and removing are changes
 * to who may sign people in, so they need a fresh proof and go to the audit log with the admin as
 * the actor (`actorId`, and `actor_id` in the detail as it was before the column came); the
 * event's user is none (no account changed).
 */

/** Every registered client, oldest first; null while the provider is off (nothing can sign in through it). */
export async function clientsForAdmin(admin: Caller): Promise<ClientSummary[] | null> {
  requireAdmin(admin.user);
  if (!(await oauthProvider())) return null;
  return listClients();
}

/** Registers a client; its id, and its secret (shown this once) unless it is public. */
export async function addClientAsAdmin(admin: Caller, input: NewClient, client: ClientInfo): Promise<{ client_id: string; client_secret?: string }> {
  requireAdmin(admin.user);
  requireFreshProof(admin);
  if (!(await oauthProvider())) throw new AppError("OIDC_PROVIDER_OFF");
  let checked: CheckedClient;
  try {
    checked = await checkClient(input);
  } catch (error) {
    // What the provider's own checks refused (a redirect URI a web app may not use…), in its words.
    if (error instanceof ClientError) throw new AppError("CLIENT_REJECTED", { params: { reason: error.message }, cause: error });
    throw error;
  }
  // The client and its audit event commit together, or neither does.
  return transaction(async (tx) => {
    const created = await storeClient(tx, checked);
    await recordAudit(tx, {
      type: "oauth_client_added",
      actorId: admin.user.id,
      ip: client.ip,
      userAgent: client.userAgent,
      detail: { actor_id: admin.user.id, client_id: created.client_id, client_name: input.name.trim(), public: input.public === true, first_party: input.firstParty === true },
    });
    return created;
  });
}

/** Removes a client (its name, for the page to say so): it signs nobody in any more and its tokens stop working. NOT_FOUND when it is already gone. */
export async function removeClientAsAdmin(admin: Caller, clientId: string, client: ClientInfo): Promise<string> {
  requireAdmin(admin.user);
  requireFreshProof(admin);
  // Named in the log while it still has a name.
  const name = await clientDisplayName(clientId);
  if (!name) throw new AppError("NOT_FOUND");
  await transaction(async (tx) => {
    if (!(await removeClient(clientId, tx))) throw new AppError("NOT_FOUND");
    await recordAudit(tx, {
      type: "oauth_client_removed",
      actorId: admin.user.id,
      ip: client.ip,
      userAgent: client.userAgent,
      detail: { actor_id: admin.user.id, client_id: clientId, client_name: name },
    });
  });
  return name;
}
