// Limits of the HTTP layer shared by the TypeScript handlers and server.mjs's plain modules.

/** The largest request body the API reads; beyond it, 413. */
export const MAX_BODY_BYTES = 64 * 1024;
