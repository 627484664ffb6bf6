import { route } from "@/lib/http/route";
import { openApiDocument } from "@/lib/openapi";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: async () => Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
});
