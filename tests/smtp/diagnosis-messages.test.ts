// Every diagnosis code has a text in each locale that formats with exactly the params it is given.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTranslator } from 'use-intl/core';
import { DIAGNOSIS_CODES, DIAGNOSIS_PARAMS } from '../../server/smtp/types';

const LOCALES = ['en', 'zh-CN'] as const;

function load(locale: string): Record<string, string> {
  return JSON.parse(readFileSync(new URL(`../../messages/${locale}.json`, import.meta.url), 'utf8')).diagnoses;
}

/** Sample values; select params are tried with each of their values. */
const VARIANTS: Record<string, string[]> = {
  why: ['portNotAllowed', 'addressNotPublic', 'invalidHost'],
  suggested: ['tls', 'starttls'],
  isIp: ['yes', 'no'],
};

for (const locale of LOCALES) {
  test(`${locale}: one text per diagnosis code, no more, no less`, () => {
    assert.deepEqual(Object.keys(load(locale)).sort(), [...DIAGNOSIS_CODES].sort());
  });

  test(`${locale}: every text formats with only its guaranteed params`, () => {
    const messages = load(locale);
    const t = createTranslator({
      locale,
      messages: { diagnoses: messages },
      namespace: 'diagnoses',
      onError: (error) => {
        throw error;
      },
    });
    for (const code of DIAGNOSIS_CODES) {
      const keys = DIAGNOSIS_PARAMS[code];
      const variantKey = keys.find((k) => VARIANTS[k]);
      for (const variant of variantKey ? VARIANTS[variantKey]! : ['']) {
        const params = Object.fromEntries(keys.map((k) => [k, k === variantKey ? variant : `<${k}>`]));
        const text = t(code, params);
        assert.ok(text.length > 8, `${locale} ${code} is too short`);
        assert.ok(!/[{}]/.test(text), `${locale} ${code} left a placeholder: ${text}`);
      }
    }
  });
}

test('the texts differ between locales (zh-CN is translated, not copied)', () => {
  const en = load('en');
  const zh = load('zh-CN');
  for (const code of DIAGNOSIS_CODES) {
    assert.notEqual(zh[code], en[code], code);
    assert.match(zh[code]!, /[\u4e00-\u9fff]/, `${code} has no Chinese text`);
  }
});
