import { serveNotFound } from "@/lib/api/serve";

// Any deeper path under /auth that no endpoint serves: a JSON 404, not Next's HTML page.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveNotFound();
