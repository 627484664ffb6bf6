/**
 * The data layer's door for services: the handle every data function takes first (`Tx`), the
 * database outside any transaction (`database`), and the ways to open one. The data functions
 * themselves live in this folder's other modules, one per table or concern; only this folder
 * touches Prisma (ADR 005, ADR 013).
 */
export { atomically, countTogether, database, readWithNext, transaction, Tx, writeWithNext } from "./sql";
export { disconnectDb, runAsBatchJob, startSessionCheckCache } from "./client";
