import { Prisma } from "./generated/postgres/client";

/** A unique index refused the write: a concurrent request inserted the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
