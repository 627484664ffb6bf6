import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * A production build's server action id by its exported name (ids change with every build): how
 * the HTTP tests and the bench post a page's form as React's client does. Test tooling only; the
 * product never reads its own build manifests.
 */
const manifests = new Map();

export function actionId(appDir, name) {
  const file = path.join(appDir, ".next/server/server-reference-manifest.json");
  if (!manifests.has(file)) manifests.set(file, JSON.parse(readFileSync(file, "utf8")));
  const id = Object.entries(manifests.get(file).node).find(([, entry]) => entry.exportedName === name)?.[0];
  if (!id) throw new Error(`${name} is not in the build's server-reference manifest`);
  return id;
}
