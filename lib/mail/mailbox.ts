/**
 * The code and the link of a mail's text part, for the dev mailbox (its page and its JSON). The
 * templates (lib/mail/templates.ts) put each on a line of its own; these rules read no words, so
 * they hold in every language the templates are written in.
 */

/** A line holding only digits is a code (a verification or confirm-it's-you code). */
const CODE_LINE = /^\d{4,10}$/;
const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;
/** Punctuation after a link in running text ("…/profile).") is the sentence's, not the link's. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]'"]+$/;

/** The http(s) links of one line, each without the punctuation that follows it. */
export function linksIn(line: string): Array<{ link: string; index: number }> {
  return [...line.matchAll(URL_PATTERN)].map((m) => ({ link: m[0].replace(TRAILING_PUNCTUATION, ""), index: m.index }));
}

export const isCodeLine = (line: string) => CODE_LINE.test(line.trim());

/** The first line that is only a code, and the first link; null when there is none. */
export function codeAndLinkOf(text: string): { code: string | null; link: string | null } {
  const lines = text.split("\n");
  const code = lines.find(isCodeLine)?.trim() ?? null;
  const link = lines.flatMap(linksIn)[0]?.link ?? null;
  return { code, link };
}
