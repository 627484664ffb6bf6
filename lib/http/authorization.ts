// The documented clients send `Token <t>`; OAuth-style clients send `Bearer <t>`.
const AUTHORIZATION = /^(?:token|bearer)[ \t]+([^\s]+)$/i;

/** The credential from `Authorization: Token <t>` or `Bearer <t>` (scheme case-insensitive), else null. */
export function bearerTokenFrom(headers: Headers): string | null {
  const value = headers.get("authorization")?.trim();
  if (!value) return null;
  return AUTHORIZATION.exec(value)?.[1] ?? null;
}
