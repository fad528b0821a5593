import 'server-only';
// The in-app list: a user's own notices only (the user id is in every where), newest first, rendered in
// the reader's language when shown.
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import { decodeCursor, encodeCursor } from '../core/keyset-cursor';
import { isNotificationKind, kindsForRole, NOTIFICATION_KINDS, type NotificationKind } from '@/lib/notification-kinds';
import { parseOrThrow } from '../core/parse';
import type { Locale } from '../i18n/locales';
import { renderNotice, type NoticeParams } from './render-notification';

export type NoticeView = { id: string; kind: NotificationKind; title: string; body: string; link: string; createdAt: Date; read: boolean };

export const NOTICE_PAGE_SIZE = 50;

/** Newest first, keyset-paginated on (createdAt, id): a page and the cursor of the next, null on the last. */
export async function listNotices(
  userId: string,
  locale: Locale,
  { cursor, limit = NOTICE_PAGE_SIZE }: { cursor?: string; limit?: number } = {},
): Promise<{ items: NoticeView[]; nextCursor: string | null }> {
  const after = cursor ? decodeCursor(cursor) : null;
  const t = after ? new Date(after.t) : null;
  const rows = await db.inAppNotice.findMany({
    where: { AND: [{ userId }, t && after ? { OR: [{ createdAt: { lt: t } }, { createdAt: t, id: { lt: after.id } }] } : {}] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const items = page.flatMap((row): NoticeView[] => {
    if (!isNotificationKind(row.kind)) return [];
    const { title, body } = renderNotice(row.kind, JSON.parse(row.params) as NoticeParams, locale);
    return [{ id: row.id, kind: row.kind, title, body, link: row.link, createdAt: row.createdAt, read: row.readAt !== null }];
  });
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id }) : null };
}

/** GET /api/v1/notices: a page of the caller's own notices, in their language, and how many are unread. */
export const NoticesQuery = z.object({
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(NOTICE_PAGE_SIZE),
});
export const NoticePageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(NOTIFICATION_KINDS),
      title: z.string(),
      body: z.string(),
      link: z.string(),
      createdAt: z.string(),
      read: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
  unread: z.number().int(),
});
export const MarkedReadSchema = z.object({ marked: z.number().int() });

export async function noticesPage(user: { id: string }, locale: Locale, query: Record<string, unknown>): Promise<z.infer<typeof NoticePageSchema>> {
  const { cursor, limit } = parseOrThrow(NoticesQuery, query);
  const [page, unread] = await Promise.all([listNotices(user.id, locale, { cursor, limit }), countUnread(user.id)]);
  return { items: page.items.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })), nextCursor: page.nextCursor, unread };
}

export function countUnread(userId: string): Promise<number> {
  return db.inAppNotice.count({ where: { userId, readAt: null } });
}

export async function markNoticeRead(userId: string, id: string): Promise<void> {
  const { count } = await db.inAppNotice.updateMany({ where: { id, userId }, data: { readAt: new Date() } });
  if (count === 0 && !(await db.inAppNotice.findFirst({ where: { id, userId }, select: { id: true } }))) throw new AppError('NOT_FOUND', 'No such notification.');
}

export async function markAllNoticesRead(userId: string): Promise<number> {
  const { count } = await db.inAppNotice.updateMany({ where: { userId, readAt: null }, data: { readAt: new Date() } });
  return count;
}

export type PreferenceView = { kind: NotificationKind; mail: boolean; inApp: boolean };

export async function listPreferences(user: { id: string; role: string }): Promise<PreferenceView[]> {
  const saved = await db.notificationPreference.findMany({ where: { userId: user.id } });
  return kindsForRole(user.role).map((kind) => {
    const p = saved.find((s) => s.kind === kind);
    return { kind, mail: p?.mail ?? true, inApp: p?.inApp ?? true };
  });
}

const PreferencesSchema = z.array(z.object({ kind: z.string(), mail: z.boolean(), inApp: z.boolean() })).max(50);

/** Saves the user's choices for the kinds their role can get (others are refused by name). */
export async function savePreferences(user: { id: string; role: string }, input: unknown): Promise<void> {
  const parsed = PreferencesSchema.safeParse(input);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid preferences.', { errors: [{ path: 'preferences', message: 'invalid' }] });
  const allowed = kindsForRole(user.role) as readonly string[];
  const wrong = parsed.data.filter((p) => !allowed.includes(p.kind));
  if (wrong.length) throw new AppError('VALIDATION_FAILED', 'Unknown notification kind.', { errors: wrong.map((p) => ({ path: `preferences.${p.kind}`, message: 'invalid' })) });
  await db.$transaction(async (tx) => {
    for (const p of parsed.data) {
      await tx.notificationPreference.upsert({
        where: { userId_kind: { userId: user.id, kind: p.kind } },
        create: { userId: user.id, kind: p.kind, mail: p.mail, inApp: p.inApp },
        update: { mail: p.mail, inApp: p.inApp },
      });
    }
  });
}
