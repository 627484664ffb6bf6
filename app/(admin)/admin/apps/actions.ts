"use server";

import { revalidatePath } from "next/cache";
import { addClientAsAdmin, removeClientAsAdmin } from "@/lib/admin/clients";
import { signedInAction } from "@/lib/web/actions";
import { pageTranslator } from "@/lib/web/locale";
import { ClientIdFormSchema, NewClientFormSchema } from "@/lib/validation/forms";

// The Apps page's forms: each calls one service of lib/admin/clients.ts, which checks that the
// session is an admin's with a fresh proof (REAUTHENTICATION_REQUIRED opens "Confirm it's you").

/** The new app's id, and its secret unless it is public: shown once, by the form, never stored for the page. */
export const addClientAction = signedInAction(NewClientFormSchema, async ({ type, ...app }, { session, client }) => {
  const created = await addClientAsAdmin(session, { ...app, public: type === "public" }, client);
  revalidatePath("/admin/apps");
  const t = await pageTranslator("admin");
  return { status: "success", message: t("apps.added", { name: app.name }), data: created };
});

export const removeClientAction = signedInAction(ClientIdFormSchema, async ({ clientId }, { session, client }) => {
  const name = await removeClientAsAdmin(session, clientId, client);
  revalidatePath("/admin/apps");
  const t = await pageTranslator("admin");
  return { status: "success", message: t("apps.removed", { name }) };
});
