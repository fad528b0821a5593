// One place that writes logs, so nothing logs a secret by accident: messages are fixed strings,
// errors are reduced to their name and message (never request bodies or SMTP payloads).
export function logError(message: string, error?: unknown): void {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : error === undefined ? '' : String(error);
  console.error(`[relaydesk] ${message}${detail ? ` — ${detail}` : ''}`);
}

export function logInfo(message: string): void {
  console.log(`[relaydesk] ${message}`);
}
