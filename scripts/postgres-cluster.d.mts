export function postgresBinDir(): string | undefined;
export interface ThrowawayPostgres {
  url: string;
  start(): void;
  halt(): void;
  freeze(): void;
  thaw(): void;
  stop(): void;
}
export function startThrowawayPostgres(options?: { durable?: boolean }): Promise<ThrowawayPostgres>;
