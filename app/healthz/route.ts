import { pingDatabase } from "@/lib/db/health";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: async () => {
    const up = await pingDatabase();
    return {
      status: up ? 200 : 503,
      body: { success: up, errors: up ? {} : { errors: ["Database unreachable"] }, status: up ? "ok" : "error", db: up ? "ok" : "unreachable" },
    };
  },
});
