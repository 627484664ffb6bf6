import { markDatabaseAvailable } from "./availability";
import { prismaClient } from "./client";

/** True when the database answers a trivial query within `timeoutMs`. */
export async function pingDatabase(timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const ping = prismaClient()
    .$queryRaw`SELECT 1`.then(() => true)
    .catch(() => false);
  try {
    const up = await Promise.race([ping, timeout]);
    if (up) markDatabaseAvailable();
    return up;
  } finally {
    clearTimeout(timer);
  }
}
