import type { Adapter, AdapterPayload } from "oidc-provider";
import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { database } from "@/lib/db";
import {
  consumeOAuthRow,
  deleteOAuthRow,
  deleteOAuthRowsOfGrant,
  findOAuthRow,
  findOAuthRowBy,
  upsertOAuthRow,
  type OAuthRow,
} from "@/lib/db/oauth";
import { openSecret, sealSecret } from "@/lib/tokens/secrets";

/**
 * oidc-provider's storage (ADR 015): every model it keeps (clients, codes, tokens, grants,
 * interactions, its sessions) goes through lib/db into the OAuthModel table, on SQLite and on
 * PostgreSQL alike. A client's secret is sealed (AES-256-GCM under a key derived from AUTH_SECRET
 * for that one job) before it is stored: the provider must compare it in clear, so a hash will not
 * do, but a copy of the database alone does not give it away.
 */
export class OAuthAdapter implements Adapter {
  constructor(private readonly model: string) {}

  /**
   * Clients as read, for CLIENT_CACHE_MS: the provider looks its client up on every request (the
   * token endpoint, userinfo, introspection), and a registration changes rarely. A client written
   * or removed in this process is forgotten at once; one removed by the CLI (another process) or
   * on another instance stops working within that time.
   */
  private static clients = new Map<string, { payload: AdapterPayload; until: number }>();

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (this.model === "Client") OAuthAdapter.clients.delete(id);
    const stored = this.model === "Client" && typeof payload.client_secret === "string"
      ? { ...payload, client_secret: sealSecret(payload.client_secret, "oauth-client-secret-encryption") }
      : payload;
    await upsertOAuthRow(database, {
      model: this.model,
      id,
      payload: JSON.stringify(stored),
      grantId: payload.grantId ?? null,
      userCode: payload.userCode ?? null,
      uid: payload.uid ?? null,
      userId: userIdOf(payload.accountId),
      clientId: typeof payload.clientId === "string" ? payload.clientId : null,
      expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000) : null,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model !== "Client") return this.payloadOf(await findOAuthRow(database, this.model, id));
    const cached = OAuthAdapter.clients.get(id);
    if (cached && cached.until > Date.now()) return cached.payload;
    const payload = this.payloadOf(await findOAuthRow(database, this.model, id));
    if (payload) OAuthAdapter.clients.set(id, { payload: deepFreeze(payload), until: Date.now() + CLIENT_CACHE_MS });
    else OAuthAdapter.clients.delete(id);
    return payload;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf(await findOAuthRowBy(database, this.model, { userCode }));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf(await findOAuthRowBy(database, this.model, { uid }));
  }

  async consume(id: string): Promise<void> {
    await consumeOAuthRow(database, this.model, id);
  }

  async destroy(id: string): Promise<void> {
    if (this.model === "Client") OAuthAdapter.clients.delete(id);
    await deleteOAuthRow(database, this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await deleteOAuthRowsOfGrant(database, grantId);
  }

  /**
   * A rotated refresh token still works for REFRESH_REUSE_INTERVAL_SECONDS after its first use, as
   * the API's own do (a retry after a lost answer, a second tab); after that the provider sees it
   * consumed, and its reuse ends the whole grant. The grace counts from the first use: a use within
   * it does not consume the row again.
   */
  private inReuseGrace(consumedAt: Date): boolean {
    return this.model === "RefreshToken" && now().getTime() - consumedAt.getTime() < config().refreshReuseIntervalSeconds * 1000;
  }

  private payloadOf(row: OAuthRow | null): AdapterPayload | undefined {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumedAt && !this.inReuseGrace(row.consumedAt)) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
    if (this.model === "Client" && typeof payload.client_secret === "string") {
      payload.client_secret = openSecret(payload.client_secret, "oauth-client-secret-encryption");
    }
    return payload;
  }
}

/** How long a client read from the database is used before it is read again (OAuthAdapter.clients). */
export const CLIENT_CACHE_MS = 5_000;

/** Shared between requests, so nobody may change it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** oidc-provider's accountId is this service's user id (the `sub`); anything else names no account. */
export function userIdOf(accountId: unknown): number | null {
  if (typeof accountId !== "string" || !/^[1-9][0-9]{0,9}$/.test(accountId)) return null;
  const id = Number(accountId);
  return id <= 2_147_483_647 ? id : null;
}
