/**
 * A rough strength estimate from what the browser can see: length and variety. It cannot know
 * whether a password is common or breached (the server checks that against its list), so the
 * meter only ever nudges towards length, which is what actually makes a password hard to guess.
 */
export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export type StrengthLabel = "tooShort" | "weak" | "fair" | "good" | "strong";

export interface Strength {
  score: StrengthScore;
  /** The word's key in the `common` namespace's `password` group. */
  label: StrengthLabel;
}

const LABELS: Record<StrengthScore, StrengthLabel> = { 0: "tooShort", 1: "weak", 2: "fair", 3: "good", 4: "strong" };

export function passwordStrength(password: string, minLength: number): Strength | null {
  if (!password) return null;
  const length = [...password].length;
  if (length < minLength) return { score: 0, label: LABELS[0] };

  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const distinct = new Set(password.toLowerCase()).size;

  let score: StrengthScore = length >= 20 ? 4 : length >= 16 ? 3 : length >= 12 ? 2 : 1;
  // Mixing kinds of characters helps a shorter password a little; it cannot replace length.
  if (classes >= 3 && length >= 10 && score < 4) score = (score + 1) as StrengthScore;
  // "aaaaaaaaaaaa" or "abababab…" is long but guessed at once.
  if (distinct <= 3 || distinct / length < 0.3) score = 1;
  return { score, label: LABELS[score] };
}
