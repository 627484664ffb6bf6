export function startCommand(appDir: string): { env: Record<string, string>; args: string[] };
