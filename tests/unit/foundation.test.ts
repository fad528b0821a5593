import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '@/server/audit/canonical';
import { localeFromAcceptLanguage } from '@/server/i18n/locales';
import { readEnv, requireProductionSecrets } from '@/server/env';
import { parseSecretKeys } from '@/server/crypto/secret-keys';
import en from '@/messages/en.json';
import zh from '@/messages/zh-CN.json';
import { AUDIT_ACTIONS } from '@/lib/audit-actions';

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

test('the English and Chinese catalogs have exactly the same keys', () => {
  assert.deepEqual(keys(zh).sort(), keys(en).sort());
});

test('every audit action has a label in the catalogs, and every label an action', () => {
  assert.deepEqual(keys(en.auditActions).sort(), [...AUDIT_ACTIONS].sort());
  assert.deepEqual(keys(zh.auditActions).sort(), [...AUDIT_ACTIONS].sort());
});

test('canonical JSON sorts keys at every depth and drops undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } }), '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
});

test('the browser language picks the UI language', () => {
  assert.equal(localeFromAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8'), 'zh-CN');
  assert.equal(localeFromAcceptLanguage('zh-TW'), 'zh-CN');
  assert.equal(localeFromAcceptLanguage('fr-FR,en;q=0.5'), 'en');
  assert.equal(localeFromAcceptLanguage('de, zh;q=0.2'), 'zh-CN');
  assert.equal(localeFromAcceptLanguage(null), 'en');
});

test('demo mode when nothing is configured; production refuses to start without secrets', () => {
  assert.equal(readEnv({}).demo, true);
  const prod = readEnv({ DATABASE_URL: 'postgres://db/x' });
  assert.equal(prod.demo, false);
  assert.throws(() => requireProductionSecrets(prod), /RELAYDESK_SECRET_KEYS[\s\S]*AUTH_SECRET/);
  assert.throws(() => readEnv({ PORT: 'eighty' }), /PORT/);
});

test('secret keys must be keyId:base64 of 32 bytes', () => {
  const good = `k1:${Buffer.alloc(32, 1).toString('base64')},k2:${Buffer.alloc(32, 2).toString('base64')}`;
  assert.deepEqual(
    parseSecretKeys(good).map((k) => k.id),
    ['k1', 'k2'],
  );
  assert.throws(() => parseSecretKeys(`k1:${Buffer.alloc(16).toString('base64')}`), /32-bytes/);
  assert.throws(() => parseSecretKeys('nokey'), /keyId/);
});

test('the PostgreSQL schema is generated from the SQLite one and differs only in provider and output', () => {
  const strip = (s: string) =>
    s
      .split('\n')
      .filter((l) => !/provider|output|^\/\//.test(l))
      .join('\n')
      .trim();
  assert.equal(strip(readFileSync('prisma/postgres/schema.prisma', 'utf8')), strip(readFileSync('prisma/schema.prisma', 'utf8')));
});

test('the event hash covers the canonical JSON of exactly the hashed fields', async () => {
  const { canonicalEventText, canonicalJson: canon, eventHash } = await import('@/server/audit/canonical');
  const fields = {
    seq: 7,
    at: '2026-01-01T00:00:00.000Z',
    actorType: 'user',
    actorId: null,
    actorLabel: 'a@b.c',
    tenantId: 't',
    action: 'x.y',
    targetType: 'smtp-request',
    targetId: 'r',
    before: '{"a":1}',
    after: null,
    ip: '192.0.2.1',
    userAgent: 'ua "quoted"',
    requestId: null,
    prevHash: '0'.repeat(64),
  };
  assert.equal(canonicalEventText(fields), canon(fields));
  assert.equal(eventHash({ ...fields, hash: 'ignored' } as typeof fields), eventHash(fields));
  assert.notEqual(eventHash({ ...fields, actorLabel: 'someone else' }), eventHash(fields));
});
