export function postgresBinDir(): string | undefined;
/** The processes whose parent is `pid`, from /proc. */
export function childrenOf(pid: number): number[];
export interface ThrowawayPostgres {
  url: string;
  start(): void;
  halt(): void;
  /** The postmaster and its children, by pid. */
  processes(): number[];
  freeze(): void;
  thaw(): void;
  stop(): void;
}
/**
 * `durable`: fsync and synchronous_commit on (PostgreSQL's defaults) instead of fsync off.
 * `settings`: more server settings, name → value (no spaces).
 */
export function startThrowawayPostgres(options?: { durable?: boolean; settings?: Record<string, string> }): Promise<ThrowawayPostgres>;
