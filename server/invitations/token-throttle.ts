import 'server-only';
// Guessing invitation links is slowed like guessing passwords (server/auth/sign-in.ts): a link that
// matches no invitation counts as a failure of the client's address; after a few free ones each further
// try waits twice as long (capped), and while one waits every link is refused from that address, the right
// one too. Rows of SignInThrottle, so it holds across processes. Without a known client address there is no
// per-address bucket (as for sign-in: one shared bucket could be filled by anyone); a link carries 256
// random bits, so guessing stays hopeless either way.
import { db } from '../db';

const FREE_FAILURES = 10;
const MAX_DELAY_MS = 15 * 60 * 1000;
const WINDOW_MS = 60 * 60 * 1000;

const keyOf = (ip: string | null) => (ip ? `invite:${ip}` : null);

export const invitationGuessDelayMs = (failures: number) => (failures < FREE_FAILURES ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES)));

/** Seconds this address must wait before trying another link, or 0. */
export async function invitationGuessWait(ip: string | null, now = new Date()): Promise<number> {
  const key = keyOf(ip);
  if (!key) return 0;
  const row = await db.signInThrottle.findUnique({ where: { key } });
  if (!row) return 0;
  const wait = row.lastFailureAt.getTime() + invitationGuessDelayMs(row.failures) - now.getTime();
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

/** Counts a link that matched nothing; failures older than the window are forgotten. */
export async function countInvitationGuess(ip: string | null, now = new Date()): Promise<void> {
  const key = keyOf(ip);
  if (!key) return;
  await db.$transaction(async (tx) => {
    const row = await tx.signInThrottle.findUnique({ where: { key } });
    const failures = row && now.getTime() - row.lastFailureAt.getTime() < WINDOW_MS ? row.failures + 1 : 1;
    await tx.signInThrottle.upsert({ where: { key }, create: { key, failures, lastFailureAt: now }, update: { failures, lastFailureAt: now } });
  });
}
