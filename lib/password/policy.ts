import { readFileSync } from "node:fs";
import path from "node:path";
import { config } from "@/lib/config/env";
import { said, type Said } from "@/lib/messages";
import { normalizePassword, passwordLengthProblem } from "@/lib/validation/fields";

/**
 * The password policy of the contract: a length range and a list of common passwords, no
 * composition rules (NIST SP 800-63B). The list holds the 20,000 most frequent passwords of the
 * SecLists "10 million" corpus, lowercased, as Django's CommonPasswordValidator compares them.
 */
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(path.join(process.cwd(), "lib/password/common-passwords.txt"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean),
  );
  return common;
}

/** The policy's complaints about `password` (in Django's words for the API); empty when it is acceptable. */
export function passwordProblems(password: string, minLength = config().passwordMinLength): Said[] {
  const problems: Said[] = [];
  const lengthProblem = passwordLengthProblem(password, minLength);
  if (lengthProblem) problems.push(lengthProblem);
  if (commonPasswords().has(normalizePassword(password).trim().toLowerCase())) problems.push(said("PASSWORD_TOO_COMMON"));
  return problems;
}
