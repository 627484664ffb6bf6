import { route } from "@/lib/http/route";
import { publicJwks } from "@/lib/tokens/keys";

// Read at request time: the key comes from the runtime environment, never from the build.
export const dynamic = "force-dynamic";

/**
 * The JSON Web Key Set (RFC 7517) other services verify access tokens with. A standard document,
 * so its body is the bare `{ keys: [...] }`, not the API envelope. Verifiers may cache it for five
 * minutes; a key rotation must therefore publish the new key at least that long before signing with it.
 */
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: async () =>
    new Response(JSON.stringify(await publicJwks()), {
      headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
    }),
});
