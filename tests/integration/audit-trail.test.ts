import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { api } from '../helpers/api';
import { makeTenantWithPeople, makeUser, validRequestBody, db } from '../helpers/factories';
import { createHash } from 'node:crypto';
import { writeCheckpoint, checkpointsFile, signCheckpoint, type Checkpoint } from '@/server/audit/checkpoints';
import { eventHash, GENESIS_HASH } from '@/server/audit/canonical';
import { verifyChain } from '@/server/audit/verify-chain';
import { distinctActions } from '@/server/audit/list-events';
import { isPostgres } from '@/server/db';

/** What an attacker with database access could do: switch the append-only guard off for one statement. */
async function asAttacker(sql: string) {
  if (isPostgres) {
    await db.$transaction([db.$executeRawUnsafe('SET LOCAL session_replication_role = replica'), db.$executeRawUnsafe(sql)]);
  } else {
    await db.$executeRawUnsafe('DROP TRIGGER IF EXISTS "AuditEvent_no_update"');
    await db.$executeRawUnsafe('DROP TRIGGER IF EXISTS "AuditEvent_no_delete"');
    await db.$executeRawUnsafe(sql);
  }
}

test('auditors filter by tenant, action and object, page with a cursor, and open one event with its before/after', async () => {
  const a = await makeTenantWithPeople();
  const b = await makeTenantWithPeople();
  const auditor = await makeUser('auditor');
  const created = await api('POST', '/api/v1/smtp-requests', { token: a.admin.token, body: validRequestBody() });
  await api('POST', '/api/v1/smtp-requests', { token: b.admin.token, body: validRequestBody() });
  await api('PATCH', `/api/v1/smtp-requests/${created.body.id}`, { token: a.admin.token, body: { noReplyName: 'Renamed', password: 'n3w-secret-pw' } });

  const forA = await api('GET', `/api/v1/audit-events?tenant=${a.tenant.slug}&limit=200`, { token: auditor.token });
  assert.equal(forA.status, 200);
  assert.ok(forA.body.items.length > 0);
  assert.ok(forA.body.items.every((e: { tenant: string }) => e.tenant === a.tenant.slug));

  const edits = await api('GET', `/api/v1/audit-events?action=request.edited&target=${created.body.id}`, { token: auditor.token });
  assert.equal(edits.body.items.length, 1);
  const edit = edits.body.items[0];
  assert.deepEqual(edit.before, { noReplyName: 'Example Notifications', password: 'set' });
  assert.deepEqual(edit.after, { noReplyName: 'Renamed', password: 'changed' });

  const prefix = await api('GET', `/api/v1/audit-events?action=request.&tenant=${a.tenant.slug}`, { token: auditor.token });
  assert.deepEqual(new Set(prefix.body.items.map((e: { action: string }) => e.action)), new Set(['request.created', 'request.edited']));

  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { items: { seq: number }[]; nextCursor: string | null } } = await api(
      'GET',
      `/api/v1/audit-events?tenant=${a.tenant.slug}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      { token: auditor.token },
    );
    seen.push(...page.body.items.map((e) => e.seq));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.deepEqual(
    seen,
    forA.body.items.map((e: { seq: number }) => e.seq),
    'keyset pages add up to the whole, newest first',
  );

  assert.equal((await api('GET', '/api/v1/audit-events?from=yesterday', { token: auditor.token })).status, 422);
  assert.equal((await api('GET', '/api/v1/audit-events', { token: a.tam.token })).status, 403);
  assert.equal((await api('GET', '/api/v1/audit-events', { token: a.admin.token })).status, 403);
});

test('the actor filter finds a user by email, tokens included; a time range returns exactly the events inside it', async () => {
  const a = await makeTenantWithPeople();
  const auditor = await makeUser('auditor');
  const created = await api('POST', '/api/v1/smtp-requests', { token: a.admin.token, body: validRequestBody() });
  await api('POST', `/api/v1/smtp-requests/${created.body.id}/comments`, { token: a.admin.token, body: { body: 'Please check.' } });

  // The admin acted through a token: the events say "(token)", and their email finds them.
  const byAdmin = await api('GET', `/api/v1/audit-events?actor=${encodeURIComponent(a.admin.email.toUpperCase())}&limit=200`, { token: auditor.token });
  assert.equal(byAdmin.status, 200);
  const labels = new Set(byAdmin.body.items.map((e: { actor: string }) => e.actor));
  assert.deepEqual(labels, new Set([`${a.admin.email} (token)`]));
  assert.ok(byAdmin.body.items.some((e: { action: string; targetId: string }) => e.action === 'request.created' && e.targetId === created.body.id));
  assert.deepEqual((await api('GET', '/api/v1/audit-events?actor=nobody%40example.test', { token: auditor.token })).body.items, []);

  // Event times never decrease along the chain, so a time range is one run of seqs.
  const all = (await api('GET', '/api/v1/audit-events?limit=200', { token: auditor.token })).body.items as { seq: number; at: string }[];
  const times = all.map((e) => Date.parse(e.at));
  assert.deepEqual(
    [...times].sort((x, y) => y - x),
    times,
    'newest first by seq is also newest first by time',
  );
  const middle = all[Math.floor(all.length / 2)]!;
  const window = (await api('GET', `/api/v1/audit-events?from=${middle.at}&to=${middle.at}&limit=200`, { token: auditor.token })).body.items as { seq: number; at: string }[];
  assert.ok(window.some((e) => e.seq === middle.seq));
  assert.deepEqual(
    window,
    all.filter((e) => e.at === middle.at),
  );
  const future = new Date(Date.now() + 3_600_000).toISOString();
  assert.deepEqual((await api('GET', `/api/v1/audit-events?from=${future}`, { token: auditor.token })).body.items, []);

  const actions = await distinctActions();
  assert.deepEqual(actions, [...new Set(actions)].sort(), 'each action once, in order');
  assert.ok(actions.includes('request.created') && actions.includes('request.commented'));
});

test('export streams the filter as CSV or JSON Lines, and is itself audited', async () => {
  const a = await makeTenantWithPeople();
  const auditor = await makeUser('auditor');
  await api('POST', '/api/v1/smtp-requests', { token: a.admin.token, body: validRequestBody({ noReplyName: '=HYPERLINK("x")' }) });
  const jsonl = await api('GET', `/api/v1/audit-events/export?format=jsonl&tenant=${a.tenant.slug}`, { token: auditor.token });
  assert.equal(jsonl.status, 200);
  assert.match(jsonl.headers.get('content-disposition') ?? '', /attachment; filename="relaydesk-audit-.*\.jsonl"/);
  const lines = jsonl.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(lines.length >= 4);
  assert.ok(lines.every((e) => e.tenant === a.tenant.slug));
  assert.deepEqual(
    lines.map((e) => e.seq),
    [...lines.map((e) => e.seq)].sort((x, y) => x - y),
    'oldest first',
  );

  const csv = await api('GET', `/api/v1/audit-events/export?format=csv&tenant=${a.tenant.slug}`, { token: auditor.token });
  const rows = csv.text.trim().split('\r\n');
  assert.equal(rows[0], 'seq,at,actorType,actor,tenant,action,targetType,targetId,before,after,ip,userAgent,requestId,prevHash,hash,targetLabel');
  assert.equal(rows.length, lines.length + 1);
  assert.ok(!csv.text.includes(',=HYPERLINK'), 'a formula is never a cell of its own');

  const exported = await db.auditEvent.findFirst({ where: { action: 'audit.exported', actorId: auditor.id }, orderBy: { seq: 'desc' } });
  assert.ok(exported);
  assert.equal((await api('GET', '/api/v1/audit-events/export?format=xml', { token: auditor.token })).status, 422);
});

test('a clean chain verifies; an edited event is reported at its sequence number', async () => {
  const a = await makeTenantWithPeople();
  await api('POST', '/api/v1/smtp-requests', { token: a.admin.token, body: validRequestBody() });
  const clean = await verifyChain();
  assert.equal(clean.ok, true);
  assert.equal(clean.checked, await db.auditEvent.count());

  const victim = await db.auditEvent.findFirstOrThrow({ where: { action: 'request.created' }, orderBy: { seq: 'desc' } });
  await assert.rejects(db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorLabel" = 'someone else' WHERE seq = ${victim.seq}`), 'the append-only guard refuses UPDATE');
  await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE seq = ${victim.seq}`), 'and DELETE');

  await asAttacker(`UPDATE "AuditEvent" SET "actorLabel" = 'someone else' WHERE seq = ${victim.seq}`);
  const report = await verifyChain();
  assert.equal(report.ok, false);
  assert.equal(report.firstBrokenSeq, victim.seq);
  await asAttacker(`UPDATE "AuditEvent" SET "actorLabel" = '${victim.actorLabel}' WHERE seq = ${victim.seq}`);
  assert.equal((await verifyChain()).ok, true, 'restoring the field restores the chain');
});

test('checkpoint lines are chained, so the newest signature vouches for the file: a line changed without the key is caught', async () => {
  const a = await makeTenantWithPeople();
  const lineHash = (line: string) => createHash('sha256').update(line, 'utf8').digest('hex');
  const fileLines = () => readFileSync(checkpointsFile(), 'utf8').trim().split('\n');
  for (let i = 0; i < 3; i++) {
    await api('POST', '/api/v1/smtp-requests', { token: a.admin.token, body: validRequestBody() });
    assert.ok(await writeCheckpoint());
  }
  const lines = fileLines();
  assert.ok(lines.length >= 3);
  lines.forEach((line, i) => assert.equal((JSON.parse(line) as Checkpoint).prev, i === 0 ? GENESIS_HASH : lineHash(lines[i - 1]!), `line ${i + 1} names the line before it`));
  const clean = await verifyChain();
  assert.equal(clean.ok, true);
  const verdict = async () => {
    const { ok, firstBrokenSeq } = await verifyChain();
    return { ok, firstBrokenSeq };
  };
  const original = lines.join('\n') + '\n';
  const newest = await db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
  const newestCheckpoint = JSON.parse(lines.at(-1)!) as Checkpoint;
  assert.equal(newestCheckpoint.seq, newest.seq);
  try {
    // An older line changed where the events cannot contradict it (its time): the next line no longer names it.
    const older = JSON.parse(lines.at(-2)!) as Checkpoint;
    writeFileSync(checkpointsFile(), original.replace(lines.at(-2)!, lines.at(-2)!.replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"')));
    assert.deepEqual(await verdict(), { ok: false, firstBrokenSeq: older.seq });
    writeFileSync(checkpointsFile(), original);

    // The newest event rewritten with a hash that fits the chain: the newest checkpoint contradicts it; and
    // when that checkpoint is made to agree, its signature no longer does.
    const rewritten = { ...newest, at: newest.at.toISOString(), after: '{"status":"applied"}' };
    await asAttacker(`UPDATE "AuditEvent" SET "after" = '${rewritten.after}', "hash" = '${eventHash(rewritten)}' WHERE seq = ${newest.seq}`);
    assert.deepEqual(await verdict(), { ok: false, firstBrokenSeq: newest.seq });
    writeFileSync(checkpointsFile(), original.replace(newestCheckpoint.hash, eventHash(rewritten)));
    assert.deepEqual(await verdict(), { ok: false, firstBrokenSeq: newest.seq });
  } finally {
    writeFileSync(checkpointsFile(), original);
    await asAttacker(`UPDATE "AuditEvent" SET "after" = ${newest.after === null ? 'NULL' : `'${newest.after}'`}, "hash" = '${newest.hash}' WHERE seq = ${newest.seq}`);
  }
  assert.equal((await verifyChain()).ok, true, 'restored');

  // Lines written before checkpoints were chained (no prev) are checked by their own signature.
  const legacy = (c: Checkpoint) => JSON.stringify(signCheckpoint({ seq: c.seq, hash: c.hash, at: c.at }));
  const first = JSON.parse(lines[0]!) as Checkpoint;
  writeFileSync(checkpointsFile(), `${legacy(first)}\n`);
  assert.equal((await verifyChain()).ok, true, 'a lone unchained line with a good signature');
  writeFileSync(checkpointsFile(), `${legacy(first).replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"')}\n`);
  assert.deepEqual(await verdict(), { ok: false, firstBrokenSeq: first.seq }, 'a lone unchained line with a bad signature');
  writeFileSync(checkpointsFile(), `${legacy(first)}\n`);
  assert.ok(await writeCheckpoint());
  const upgraded = fileLines();
  assert.equal((JSON.parse(upgraded[1]!) as Checkpoint).prev, lineHash(upgraded[0]!), 'the first chained line names the unchained one');
  assert.equal((await verifyChain()).ok, true);
  writeFileSync(checkpointsFile(), original);
});

// Last in this file: it cuts events off for good.
test('cutting off the newest events is caught by the signed checkpoint; a forged checkpoint is caught too', async () => {
  // A fresh chain segment on top of whatever came before, then a checkpoint of its head.
  const a = await makeTenantWithPeople();
  await api('POST', '/api/v1/smtp-requests', { token: a.admin.token, body: validRequestBody() });
  const checkpoint = await writeCheckpoint();
  assert.ok(checkpoint);
  assert.equal(await writeCheckpoint(), null, 'no new checkpoint while the head has not moved');

  const original = readFileSync(checkpointsFile(), 'utf8');
  const forged = original.replace(/"hash":"[0-9a-f]+"/g, `"hash":"${'f'.repeat(64)}"`);
  writeFileSync(checkpointsFile(), forged);
  assert.equal((await verifyChain()).ok, false);
  writeFileSync(checkpointsFile(), original);

  const head = checkpoint!.seq;
  await asAttacker(`DELETE FROM "AuditEvent" WHERE seq >= ${head - 1}`);
  const report = await verifyChain();
  assert.equal(report.ok, false);
  assert.equal(report.firstBrokenSeq, head - 1);
});
