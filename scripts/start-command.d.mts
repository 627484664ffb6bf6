export function startCommand(appDir: string, name?: string): { env: Record<string, string>; args: string[] };
