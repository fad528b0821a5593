import 'server-only';
import { db } from '../db';
import type { Locale } from '../i18n/locales';

export async function saveUserLocale(userId: string, locale: Locale): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { locale } });
}
