export function databaseUrlFromEnv(env?: Record<string, string | undefined>): string;
export function databaseKindOfUrl(url: string): "sqlite" | "postgres";
