import Provider, { type Adapter, type AdapterPayload } from "oidc-provider";
import { now } from "@/lib/clock";
import { deepFreeze } from "@/lib/freeze";
import { config } from "@/lib/config/env";
import { database, transaction, type Tx } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import {
  consumeOAuthRow,
  deleteOAuthRow,
  deleteOAuthRowsOfGrant,
  findOAuthRow,
  findOAuthRowByUserCode,
  findOAuthSessionByUid,
  findOAuthTokenRows,
  markOAuthRowConsumed,
  TOKEN_MODELS,
  upsertOAuthRow,
  type OAuthRow,
  type OAuthRowInput,
  type OAuthTokenRows,
} from "@/lib/db/oauth";
import type { User } from "@/lib/db/users";
import { log } from "@/lib/log";
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

  /** A client this process removed is not served from the cache any longer. */
  static forget(clientId: string): void {
    OAuthAdapter.clients.delete(clientId);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (this.model === "Client") OAuthAdapter.clients.delete(id);
    const row = oauthRowOf(this.model, id, payload, expiresIn);
    await write((tx) => upsertOAuthRow(tx, row));
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    await writeWhatIsPending();
    if (TOKEN_MODELS.has(this.model)) {
      const found = (await tokenReadOf(id)).find((rows) => rows.token.model === this.model);
      return found ? payloadOf(this.model, found.token) : undefined;
    }
    if (this.model === "Grant") {
      const read = grantReadBefore(id);
      if (read) return payloadOf("Grant", read);
    }
    if (this.model !== "Client") return payloadOf(this.model, await findOAuthRow(database, this.model, id));
    const cached = OAuthAdapter.clients.get(id);
    if (cached && cached.until > Date.now()) return cached.payload;
    const payload = payloadOf(this.model, await findOAuthRow(database, this.model, id));
    if (payload) OAuthAdapter.clients.set(id, { payload: deepFreeze(payload), until: Date.now() + CLIENT_CACHE_MS });
    else OAuthAdapter.clients.delete(id);
    return payload;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    await writeWhatIsPending();
    return payloadOf(this.model, await findOAuthRowByUserCode(database, this.model, userCode));
  }

  /** oidc-provider looks up only its sessions by uid. */
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    if (this.model !== "Session") return undefined;
    await writeWhatIsPending();
    const read = sessionReadBefore(uid);
    if (read) return payloadOf("Session", read);
    return payloadOf("Session", await findOAuthSessionByUid(database, uid));
  }

  async consume(id: string): Promise<void> {
    const model = this.model;
    if (model !== "AuthorizationCode") return write((tx) => markOAuthRowConsumed(tx, model, id));
    await write(async (tx) => {
      // Two redemptions of one code that both found it unused: the one that writes second loses, wholly.
      if ((await consumeOAuthRow(tx, model, id)) === 0) throw new CodeAlreadyUsed();
    });
  }

  async destroy(id: string): Promise<void> {
    if (this.model === "Client") OAuthAdapter.clients.delete(id);
    const model = this.model;
    await write((tx) => deleteOAuthRow(tx, model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await write((tx) => deleteOAuthRowsOfGrant(tx, grantId));
  }
}

/**
 * A rotated refresh token still works for REFRESH_REUSE_INTERVAL_SECONDS after its first use, as
 * the API's own do (a retry after a lost answer, a second tab); after that the provider sees it
 * consumed, and its reuse ends the whole grant. The grace counts from the first use: a use within
 * it does not consume the row again.
 */
function inReuseGrace(model: string, consumedAt: Date): boolean {
  return model === "RefreshToken" && now().getTime() - consumedAt.getTime() < config().refreshReuseIntervalSeconds * 1000;
}

function payloadOf(model: string, row: OAuthRow | null): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  if (row.consumedAt && !inReuseGrace(model, row.consumedAt)) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
  if (model === "Client" && typeof payload.client_secret === "string") {
    payload.client_secret = openSecret(payload.client_secret, "oauth-client-secret-encryption");
  }
  return payload;
}

/**
 * What one request read about a presented token: the provider looks it up in up to three models
 * (introspection without a hint asks all three at once), then reads the session it ends with, its
 * grant and its account (userinfo, a refresh). One statement answers all of it (lib/db/oauth.ts findOAuthTokenRows),
 * kept for the rest of the request (oidc-provider names the request's context through
 * AsyncLocalStorage) and forgotten as soon as the request writes anything.
 */
const readsOfRequest = new WeakMap<object, Map<string, Promise<OAuthTokenRows[]>>>();

function tokenReadOf(id: string): Promise<OAuthTokenRows[]> {
  const ctx = Provider.ctx as object | undefined;
  if (!ctx) return findOAuthTokenRows(database, id);
  let reads = readsOfRequest.get(ctx);
  if (!reads) readsOfRequest.set(ctx, (reads = new Map()));
  let read = reads.get(id);
  if (!read) {
    const reading: Promise<OAuthTokenRows[]> = findOAuthTokenRows(database, id).then((rows) => {
      settled.set(reading, rows);
      return rows;
    });
    reads.set(id, (read = reading));
  }
  return read;
}

/** Settled reads of this request, newest last (a pending one is not waited for: it may yet fail). */
function settledReadsOfRequest(): OAuthTokenRows[] {
  const ctx = Provider.ctx as object | undefined;
  const reads = ctx && readsOfRequest.get(ctx);
  return reads ? [...reads.values()].flatMap((read) => settled.get(read) ?? []) : [];
}

const settled = new WeakMap<Promise<OAuthTokenRows[]>, OAuthTokenRows[]>();

function grantReadBefore(grantId: string): OAuthRow | null {
  return settledReadsOfRequest().find((rows) => rows.grant?.id === grantId)?.grant ?? null;
}

/** The provider session of a token this request read (checked for tokens that end with it). */
function sessionReadBefore(uid: string): OAuthRow | null {
  return settledReadsOfRequest().find((rows) => rows.session?.uid === uid)?.session ?? null;
}

/** The account of a token this request read (its `accountId`, the user id), for findAccount. */
export function accountReadBefore(userId: number): User | null {
  return settledReadsOfRequest().find((rows) => rows.user?.id === userId)?.user ?? null;
}

function forgetReads(): void {
  const ctx = Provider.ctx as object | undefined;
  if (ctx) readsOfRequest.delete(ctx);
}

/**
 * A request to the token endpoint writes up to four rows (the code or refresh token consumed, the
 * new refresh and access tokens, the grant), and on SQLite with synchronous=FULL each commit is
 * an fsync. So its writes wait, in order, until the request reads again or its answer is ready,
 * and are then made in one transaction (`batchTokenEndpointWrites`, before the answer leaves):
 * tokens are never handed out unless they are stored, and a code redeemed twice at once is
 * stored as used by one redemption only; the other's writes are rolled back and it is refused.
 * On PostgreSQL the rows go with the COMMIT in one round trip (ADR 017's held writes); only a
 * code's consumption goes ahead on its own, since its answer decides the request.
 */
const pendingWrites = new WeakMap<object, Array<(tx: Tx) => Promise<unknown>>>();

/** Thrown inside the batch's transaction: the code was consumed by a concurrent redemption. */
class CodeAlreadyUsed extends Error {}

async function write(work: (tx: Tx) => Promise<unknown>): Promise<void> {
  forgetReads();
  const ctx = Provider.ctx as object | undefined;
  const pending = ctx && pendingWrites.get(ctx);
  if (pending) pending.push(work);
  else await work(database);
}

async function writeWhatIsPending(ctx: object | undefined = Provider.ctx as object | undefined): Promise<void> {
  const pending = ctx && pendingWrites.get(ctx);
  if (!pending?.length) return;
  const works = pending.splice(0);
  await transaction(async (tx) => {
    for (const work of works) await work(tx);
  });
}

/** Koa middleware for the provider (lib/oauth/provider.ts): a token request's writes in one transaction. */
export async function batchTokenEndpointWrites(
  ctx: { method: string; path: string; status: number; body: unknown },
  next: () => Promise<unknown>,
  tokenPath: string,
): Promise<void> {
  if (ctx.method !== "POST" || ctx.path !== tokenPath) return void (await next());
  pendingWrites.set(ctx, []);
  try {
    await next();
    await writeWhatIsPending(ctx);
  } catch (error) {
    // Nothing was stored, so nothing may be handed out: the answer becomes the error.
    if (error instanceof CodeAlreadyUsed) {
      ctx.status = 400;
      ctx.body = { error: "invalid_grant", error_description: "grant request is invalid" };
    } else {
      const outage = isDatabaseUnavailable(error);
      if (!outage) log.error("oauth: a token request's writes failed", { error });
      ctx.status = outage ? 503 : 500;
      ctx.body = { error: outage ? "temporarily_unavailable" : "server_error", error_description: "the tokens could not be stored" };
    }
  } finally {
    pendingWrites.delete(ctx);
  }
}

/** How long a client read from the database is used before it is read again (OAuthAdapter.clients). */
export const CLIENT_CACHE_MS = 5_000;

/** oidc-provider's accountId is this service's user id (the `sub`); anything else names no account. */
export function userIdOf(accountId: unknown): number | null {
  if (typeof accountId !== "string" || !/^[1-9][0-9]{0,9}$/.test(accountId)) return null;
  const id = Number(accountId);
  return id <= 2_147_483_647 ? id : null;
}

/** The row a model's payload is stored as: a client's secret sealed, the columns its lookups use filled from it. */
export function oauthRowOf(model: string, id: string, payload: AdapterPayload, expiresIn: number): OAuthRowInput {
  const stored = model === "Client" && typeof payload.client_secret === "string"
    ? { ...payload, client_secret: sealSecret(payload.client_secret, "oauth-client-secret-encryption") }
    : payload;
  return {
    model,
    id,
    payload: JSON.stringify(stored),
    grantId: payload.grantId ?? null,
    userCode: payload.userCode ?? null,
    // A token's session is kept where a session's own uid is, so the token's read finds it too.
    uid: payload.uid ?? (TOKEN_MODELS.has(model) && typeof payload.sessionUid === "string" ? payload.sessionUid : null),
    userId: userIdOf(payload.accountId),
    clientId: typeof payload.clientId === "string" ? payload.clientId : null,
    expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000) : null,
  };
}
