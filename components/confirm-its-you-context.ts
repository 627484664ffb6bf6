"use client";

import { createContext, useContext } from "react";

/**
 * The page's "Confirm it's you" step (components/confirm-its-you.tsx), as the forms see it. A
 * module of its own so that every form (useActionForm) can look for the step without bringing it
 * along: pages without the step have no provider, and their forms never ask.
 */
export interface ConfirmItsYou {
  /** Whether the session's proof is, as far as the page knows, fresh enough for a sensitive change. */
  isFresh: () => boolean;
  /**
   * Opens the step; true once the person confirmed, false when they closed it. Focus then goes
   * back to `returnFocusTo` (by default, where it is now).
   */
  confirm: (returnFocusTo?: HTMLElement | null) => Promise<boolean>;
}

export const ConfirmItsYouContext = createContext<ConfirmItsYou | null>(null);

export const useConfirmItsYou = () => useContext(ConfirmItsYouContext);

/**
 * Before a sensitive form opens: the step first when the page already knows the proof is stale,
 * so nobody fills in a form only to be asked afterwards. True when the form may open.
 */
export async function confirmedFirst(confirmation: ConfirmItsYou | null): Promise<boolean> {
  return !confirmation || confirmation.isFresh() || confirmation.confirm();
}
