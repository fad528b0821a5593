import '../helpers/test-env';
// The in-app list pages: newest first, every notice once across the pages (also those that share a
// timestamp), only the reader’s own, and a cursor that is not one of ours is refused naming the field; the
// same through GET /api/v1/notices, with marking read (one, or all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeUser } from '../helpers/factories';
import { AppError } from '@/server/app-error';
import { listNotices } from '@/server/notifications/in-app-notices';
import { api } from '../helpers/api';

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

test('the API: a page of the caller’s own notices in their language, one marked read, all marked read; another’s notice is 404 and stays unread', async () => {
  const reader = await makeUser('tam');
  const bystander = await makeUser('tam');
  const base = Date.UTC(2026, 11, 2, 9);
  const mine = await notices(reader.id, 3, (i) => new Date(base + i * 1000));
  const [theirs] = await notices(bystander.id, 1, () => new Date(base));

  const english = await api('GET', '/api/v1/notices?limit=2', { token: reader.token });
  assert.equal(english.status, 200, english.text);
  assert.deepEqual(
    english.body.items.map((n: { id: string }) => n.id),
    [mine[2]!.id, mine[1]!.id],
  );
  assert.equal(english.body.unread, 3);
  assert.match(english.body.items[0].body, /took your request/);
  assert.equal(english.body.items[0].createdAt, new Date(base + 2000).toISOString());
  const chinese = await api('GET', `/api/v1/notices?cursor=${encodeURIComponent(english.body.nextCursor)}`, { token: reader.token, headers: { 'accept-language': 'zh-CN' } });
  assert.deepEqual(
    chinese.body.items.map((n: { id: string }) => n.id),
    [mine[0]!.id],
    'the next page holds the rest',
  );
  assert.equal(chinese.body.nextCursor, null);
  assert.doesNotMatch(chinese.body.items[0].body, /took your request/, 'without a saved language, the Accept-Language one');

  const badLimit = await api('GET', '/api/v1/notices?limit=0', { token: reader.token });
  assert.equal(badLimit.status, 422);
  assert.equal(badLimit.body.errors[0].path, 'limit');

  assert.equal((await api('POST', `/api/v1/notices/${mine[2]!.id}/read`, { token: reader.token })).status, 204);
  assert.equal((await api('POST', `/api/v1/notices/${theirs!.id}/read`, { token: reader.token })).status, 404);
  assert.equal((await db.inAppNotice.findUniqueOrThrow({ where: { id: theirs!.id } })).readAt, null, 'another user’s notice stays unread');
  const all = await api('POST', '/api/v1/notices/read-all', { token: reader.token });
  assert.deepEqual([all.status, all.body], [200, { marked: 2 }]);
  assert.equal((await api('GET', '/api/v1/notices', { token: reader.token })).body.unread, 0);
  assert.equal(await db.inAppNotice.count({ where: { userId: bystander.id, readAt: null } }), 1, 'nobody else’s notices were touched');
});
