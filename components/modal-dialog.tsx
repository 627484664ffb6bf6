"use client";

import { useEffect, type ReactNode, type RefObject } from "react";

/**
 * The browser's own modal dialog: the rest of the page is inert while it is open, and Escape
 * closes it. It opens with `open`; its owner closes it (`ref.current.close()`) and puts focus
 * back itself ("Confirm it's you", the console's Remove).
 */
export function ModalDialog({
  ref,
  open,
  onDismiss,
  titleId,
  descriptionId,
  children,
}: {
  ref: RefObject<HTMLDialogElement | null>;
  open: boolean;
  onDismiss: () => void;
  titleId: string;
  descriptionId: string;
  children: ReactNode;
}) {
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      // Focus goes to the dialog's first field or button, or to the one marked for it.
      dialog.showModal();
      dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    }
  }, [open, ref]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      // Escape: closed through the owner's state ("Confirm it's you" then tells the asking form it was not confirmed).
      onCancel={(event) => {
        event.preventDefault();
        onDismiss();
      }}
      // The browser may close it itself (a second Escape with no click between).
      onClose={onDismiss}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-md overflow-y-auto rounded-2xl bg-white p-0 text-slate-900 shadow-xl ring-1 ring-slate-900/10 backdrop:bg-slate-950/50 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700 dark:backdrop:bg-black/70"
    >
      {children}
    </dialog>
  );
}
