import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortenReply } from '@/server/smtp/text-budget';

test('a short reply is kept as it is', () => {
  assert.equal(shortenReply('250 OK'), '250 OK');
});

test('a reply of many lines keeps its head and tail and says how many lines were left out', () => {
  const reply = Array.from({ length: 41_224 }, (_, i) => `220-line ${i}`).join('\n');
  const short = shortenReply(reply);
  assert.match(short, /^220-line 0\n/);
  assert.match(short, /220-line 41223$/);
  assert.match(short, /… 41,212 lines omitted …/);
  assert.ok(short.length < 1_000);
});

test('one endless line is cut in the middle', () => {
  const short = shortenReply(`250 ${'x'.repeat(1_000_000)}`);
  assert.ok(short.length < 4_100);
  assert.match(short, /characters omitted/);
});
