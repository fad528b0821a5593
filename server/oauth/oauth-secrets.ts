import 'server-only';
import type { OAuthSettings } from './oauth-settings';

/** Every credential of the settings, and the private key inside a service-account JSON. */
export function oauthSecrets(settings: OAuthSettings | null | undefined): string[] {
  if (!settings) return [];
  const found = [settings.clientSecret, settings.privateKey, settings.serviceAccountKey];
  try {
    const key = (JSON.parse(settings.serviceAccountKey ?? '') as { private_key?: unknown }).private_key;
    if (typeof key === 'string') found.push(key);
  } catch {
    // Not JSON: the whole value is already in the list.
  }
  return found.filter((s): s is string => typeof s === 'string' && s.length >= 3);
}

/** secretForms-style list (longest first) with extra plain secrets and their base64 forms added. */
export function withSecrets(forms: string[], extra: string[]): string[] {
  const all = new Set(forms);
  for (const secret of extra) {
    if (secret.length < 3) continue;
    all.add(secret);
    const encoded = Buffer.from(secret, 'utf8').toString('base64');
    all.add(encoded);
    all.add(encoded.replace(/=+$/, ''));
  }
  return [...all].filter(Boolean).sort((a, b) => b.length - a.length);
}
