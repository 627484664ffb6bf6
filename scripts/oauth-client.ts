// npm run oauth:client -- add --name NAME --redirect-uri URI [--redirect-uri URI…]
//                            [--post-logout-redirect-uri URI] [--public] [--grant client_credentials] [--first-party]
// npm run oauth:client -- list
// npm run oauth:client -- remove CLIENT_ID
// The OpenID provider's clients (ADR 015), from a shell on the server, never over HTTP. `add` prints
// one JSON line {"client_id": "...", "client_secret": "..."} (no secret for --public): the secret is
// shown this once and stored sealed. `list` prints one JSON line per client, without secrets.
import { parseArgs } from "node:util";
import { disconnectDb } from "@/lib/db";
import { addClient, ClientError, listClients, removeClient } from "@/lib/oauth/clients";
import { migrateDeploy } from "@/prisma/engine/wasm-engine.mjs";
import { config } from "@/lib/config/env";

const USAGE = `usage: npm run oauth:client -- add --name NAME --redirect-uri URI [--redirect-uri URI…] [--post-logout-redirect-uri URI] [--public] [--grant client_credentials] [--first-party]
       npm run oauth:client -- list
       npm run oauth:client -- remove CLIENT_ID`;

function usage(problem?: string): never {
  if (problem) console.error(problem);
  console.error(USAGE);
  process.exit(2);
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "add") {
    let values;
    try {
      ({ values } = parseArgs({
        args: rest,
        strict: true,
        options: {
          name: { type: "string" },
          "redirect-uri": { type: "string", multiple: true },
          "post-logout-redirect-uri": { type: "string", multiple: true },
          public: { type: "boolean" },
          grant: { type: "string", multiple: true },
          "first-party": { type: "boolean" },
        },
      }));
    } catch (error) {
      usage((error as Error).message);
    }
    const grants = values.grant ?? [];
    const unknown = grants.filter((g) => g !== "client_credentials");
    if (unknown.length) usage(`--grant takes client_credentials only (got ${unknown.join(", ")})`);
    const created = await addClient({
      name: values.name ?? "",
      redirectUris: values["redirect-uri"] ?? [],
      postLogoutRedirectUris: values["post-logout-redirect-uri"],
      public: values.public === true,
      clientCredentials: grants.includes("client_credentials"),
      firstParty: values["first-party"] === true,
    });
    console.log(JSON.stringify(created));
  } else if (command === "list" && rest.length === 0) {
    for (const client of await listClients()) console.log(JSON.stringify(client));
  } else if (command === "remove" && rest.length === 1) {
    if (!(await removeClient(rest[0]!))) {
      console.error(`no client ${rest[0]}`);
      process.exitCode = 1;
    }
  } else {
    usage();
  }
}

try {
  await migrateDeploy({ url: config().databaseUrl });
  await run(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ClientError || error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await disconnectDb();
}
process.exit();
