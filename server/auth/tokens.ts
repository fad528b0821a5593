import 'server-only';
// Personal access tokens: shown once, stored as a SHA-256 hash (they are long and random, so a fast hash is right).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { db } from '../db';
import { recordEvent, type Actor } from '../audit/record-event';
import { AppError } from '../app-error';
import { activeTokenUser, type CurrentUser } from './load-user';

const PREFIX = 'rdk_';
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The active user behind a personal access token, in one query (token and user together): every
 * bearer-authenticated call pays for this, so it is one indexed lookup by the token's SHA-256.
 */
export async function findUserByToken(token: string): Promise<CurrentUser | null> {
  if (!token.startsWith(PREFIX)) return null;
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, name: true, role: true, tenantId: true, locale: true, disabledAt: true } } },
  });
  if (!row || row.revokedAt) return null;
  // "Last used" to the minute is enough, and spares every API call a write.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return activeTokenUser(row.user, row.id);
}

export async function createToken(userId: string, name: string, actor: Actor): Promise<{ id: string; token: string }> {
  const cleanName = name.trim().slice(0, 100) || 'token';
  const token = PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw new AppError('NOT_FOUND', 'No such user');
    await tx.apiToken.create({ data: { id, userId, name: cleanName, tokenHash: hashToken(token), prefix: token.slice(0, 10) } });
    await recordEvent(tx, actor, { action: 'token.created', tenantId: user.tenantId, targetType: 'token', targetId: id, after: { name: cleanName, owner: user.email } });
  });
  return { id, token };
}

export async function listTokens(userId: string) {
  return db.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

export async function revokeToken(userId: string, tokenId: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.apiToken.findFirst({ where: { id: tokenId, userId, revokedAt: null }, include: { user: true } });
    if (!row) throw new AppError('NOT_FOUND', 'No such token');
    await tx.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await recordEvent(tx, actor, { action: 'token.revoked', tenantId: row.user.tenantId, targetType: 'token', targetId: row.id, before: { name: row.name } });
  });
}
