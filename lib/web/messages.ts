// Answers that must read the same whether or not an account exists.
export const LINK_SENT_MESSAGE =
  "If that address belongs to an account that still needs confirming, we sent it a new link. It works for 24 hours.";
export const RESET_SENT_MESSAGE =
  "If an account exists for that address, we sent it a link to reset the password. The link works for one hour.";
