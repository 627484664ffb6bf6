// npm run user:role -- <email> <role>     e.g. npm run user:role -- ada@example.com admin
// How the first admin is made: from a shell on the server (later ones by an admin, PUT /auth/admin/users/{id}/role/).
import { grantRole } from "@/lib/auth/admin";
import { disconnectDb } from "@/lib/db";
import { migrateDeploy } from "@/prisma/engine/wasm-engine.mjs";
import { config } from "@/lib/config/env";

const [email, role] = process.argv.slice(2);
if (!email || !role) {
  console.error("usage: npm run user:role -- <email> <role>");
  process.exit(2);
}
try {
  await migrateDeploy({ url: config().databaseUrl });
  const user = await grantRole(email, role);
  console.log(`${user.email} now has the role ${user.roleName}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await disconnectDb();
}
process.exit();
