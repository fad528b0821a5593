import '../helpers/test-env';
// The in-app list pages: newest first, every notice once across the pages (also those that share a
// timestamp), only the reader's own, and a cursor that is not one of ours is refused naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeUser } from '../helpers/factories';
import { AppError } from '@/server/app-error';
import { listNotices } from '@/server/notifications/in-app-notices';

async function notices(userId: string, n: number, at: (i: number) => Date) {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    userId,
    kind: 'request.taken',
    params: JSON.stringify({ ref: `SMTP-${1000 + i}`, actor: 'Tina TAM', host: 'smtp.acme.example' }),
    link: `/portal/requests/${i}`,
    createdAt: at(i),
  }));
  await db.inAppNotice.createMany({ data: rows });
  return rows;
}

test('the list pages through every notice once, newest first, and only the reader’s own', async () => {
  const reader = await makeUser('tam');
  const bystander = await makeUser('tam');
  const base = Date.UTC(2026, 11, 1, 12);
  // 7 notices, three of them in the same millisecond: the id breaks the tie, so none is skipped or repeated.
  const mine = await notices(reader.id, 7, (i) => new Date(base + (i < 3 ? 0 : i) * 1000));
  await notices(bystander.id, 3, (i) => new Date(base + i * 1000));

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listNotices(reader.id, 'en', { cursor, limit: 3 });
    pages++;
    assert.ok(page.items.length <= 3);
    seen.push(...page.items.map((n) => n.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  assert.equal(pages, 3, '7 notices in pages of 3');
  assert.deepEqual(new Set(seen), new Set(mine.map((n) => n.id)), 'every one of the reader’s notices, and no one else’s');
  assert.equal(seen.length, 7, 'none twice');
  const order = seen.map((id) => mine.find((n) => n.id === id)!.createdAt.getTime());
  assert.deepEqual(
    order,
    [...order].sort((a, b) => b - a),
    'newest first',
  );

  const first = await listNotices(reader.id, 'zh-CN', { limit: 1 });
  assert.match(first.items[0]!.title, /^\[SMTP-1006\] /, 'the newest, rendered from its parameters');
  assert.match(first.items[0]!.body, /Tina TAM/);
  assert.ok(first.nextCursor);
});

test('a cursor that is not one of ours is refused, naming the field', async () => {
  const reader = await makeUser('tam');
  await assert.rejects(listNotices(reader.id, 'en', { cursor: 'not-a-cursor' }), (e) => {
    assert.ok(e instanceof AppError);
    assert.equal(e.code, 'VALIDATION_FAILED');
    assert.match(JSON.stringify(e), /cursor/);
    return true;
  });
});
