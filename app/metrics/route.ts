import { serve } from "@/lib/api/serve";

// Answered at request time: it reads the runtime state, never the build.
export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve("/metrics");
