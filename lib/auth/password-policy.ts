import { ValidationError } from "@/lib/errors";
import { passwordProblems } from "@/lib/password/policy";

/** Throws the policy's complaints about a new password as errors of `field`. */
export function assertAcceptablePassword(password: string, field: string): void {
  const problems = passwordProblems(password);
  if (problems.length) throw new ValidationError(problems.map((problem) => ({ field, ...problem })));
}
