// When a temporarily failed notification is tried again: exponential in its attempts, capped, with
// jitter so the messages of one outage do not all come back in the same second.
export type BackoffPolicy = { baseMs: number; capMs: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 60_000, capMs: 60 * 60_000 };
/** Postfix's maximal_queue_lifetime: older than this and still failing, a message is a dead letter. */
export const DEFAULT_MAX_LIFETIME_MS = 5 * 24 * 60 * 60_000;

/** "Equal jitter": half the exponential delay fixed, half random. attempts counts the failed tries (≥ 1). */
export function retryDelay(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
