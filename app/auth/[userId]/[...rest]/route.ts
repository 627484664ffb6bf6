import { notFoundRoute } from "@/lib/http/route";

// Any deeper path under /auth that no endpoint serves: a JSON 404, not Next's HTML page.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = notFoundRoute();
