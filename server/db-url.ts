// Reading DATABASE_URL is shared by the app, the migrator and the admin CLI.
export const DEFAULT_DATABASE_URL = 'file:./data/relaydesk.db';

export function databaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

export function databaseKind(url: string): 'sqlite' | 'postgres' {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '');
}
