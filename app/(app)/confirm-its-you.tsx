import type { ComponentProps } from "react";
import { ConfirmItsYouProvider } from "@/components/confirm-its-you";
import {
  passkeyReauthenticationOptionsAction,
  reauthenticateAction,
  reauthenticateWithPasskeyAction,
  sendReauthenticationCodeAction,
} from "./reauthenticate-actions";

/** "Confirm it's you" around a page's sensitive forms, answered by this service's reauthentication actions. */
export function ConfirmItsYou(props: Omit<ComponentProps<typeof ConfirmItsYouProvider>, "actions">) {
  return (
    <ConfirmItsYouProvider
      {...props}
      actions={{
        reauthenticate: reauthenticateAction,
        sendCode: sendReauthenticationCodeAction,
        passkeyOptions: passkeyReauthenticationOptionsAction,
        reauthenticateWithPasskey: reauthenticateWithPasskeyAction,
      }}
    />
  );
}
