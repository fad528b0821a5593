import { test } from 'node:test';
import assert from 'node:assert/strict';
import en from '../../messages/en.json' with { type: 'json' };
import zh from '../../messages/zh-CN.json' with { type: 'json' };
import { DOMAIN_FINDING_CODES } from '@/server/smtp/domain-types';

test('every domain finding is explained in en and zh-CN, with the same placeholders', () => {
  for (const code of DOMAIN_FINDING_CODES) {
    const texts = [en, zh].map((m) => (m.domainFindings as Record<string, unknown>)[code]);
    for (const text of texts) assert.equal(typeof text, 'string', `${code} is missing`);
    const placeholders = texts.map((text) =>
      [...String(text).matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1])
        .sort()
        .join(','),
    );
    assert.equal(placeholders[0], placeholders[1], `${code}: en and zh-CN use different placeholders`);
  }
  assert.equal(en.probe.steps.domain, 'Sending domain');
  assert.equal(zh.probe.steps.domain, '发件域名');
});
