// Server-side lookups outside React (API problem details, emails).
import { CATALOGS } from './catalogs';
import { asLocale, DEFAULT_LOCALE } from './locales';

/** Field messages in schemas are keys of `fields.errors`; unknown keys (zod's own) pass through. */
export function translateFieldMessage(key: string, locale: string): string {
  const catalog = CATALOGS[asLocale(locale) ?? DEFAULT_LOCALE];
  const messages = catalog.fields.errors as Record<string, string>;
  return messages[key] ?? key;
}
