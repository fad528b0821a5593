// Reading DATABASE_URL is shared by the app, the migrator and the admin CLI.
// Without one, the embedded database lives in the data folder, beside the demo's keys.
export function defaultDatabaseUrl(dataDir = process.env.RELAYDESK_DATA_DIR || './data'): string {
  return `file:${dataDir.replace(/\/+$/, '')}/relaydesk.db`;
}

export function databaseUrl(): string {
  return process.env.DATABASE_URL || defaultDatabaseUrl();
}

export function databaseKind(url: string): 'sqlite' | 'postgres' {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '');
}
