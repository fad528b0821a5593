import '../helpers/test-env';
// The audit trail is append-only and hash-chained: the database refuses edits, and an edit or removal
// made behind its back (triggers dropped) is reported by the verifier at the exact event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { api } from '../helpers/api';
import { makeTenantWithPeople, makeUser, validRequestBody, db, TEST_PASSWORD } from '../helpers/factories';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { leakedForms, passwordForms } from '../helpers/secret-forms';
import { verifyChain as verifyFullChain, type VerifyProgress } from '@/server/audit/verify-chain';
import { eventHash } from '@/server/audit/canonical';
import { createToken } from '@/server/auth/tokens';
import { checkCredentials } from '@/server/auth/sign-in';
import { isPostgres } from '@/server/db';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';

await assertFreshDatabase(db);

/** The verdict about the events themselves (the report may carry more, such as checkpoint counts). It must
 * not depend on how the walk is cut into pages: each page size given (default: one page of all, pages of 2
 * and of 3) gives the same verdict, so links across page boundaries are checked too. */
async function verifyChain(pageSizes: (number | undefined)[] = [undefined, 2, 3]) {
  const verdicts = [];
  for (const pageSize of pageSizes) {
    const { ok, checked, firstBrokenSeq } = await verifyFullChain({ pageSize });
    verdicts.push({ ok, checked, firstBrokenSeq });
  }
  for (const [i, verdict] of verdicts.entries()) assert.deepEqual(verdict, verdicts[0], `pages of ${pageSizes[i] ?? 'default size'} give the same verdict`);
  return verdicts[0]!;
}

const SMTP_USER = 'relay-user@example.com';
const SMTP_PASSWORD = 'Audit-Chain-Pa55word-1';
const SMTP_PASSWORD_2 = 'Audit-Chain-Pa55word-2';
const meta = { ip: '198.51.100.7', userAgent: 'audit-chain-test', requestId: null };

// A realistic trail: people, tokens, sign-ins (one typed with the SMTP password by mistake), a request
// with a password that is then changed, comments and status changes.
const { admin, tam } = await makeTenantWithPeople();
const auditor = await makeUser('auditor');
const extraToken = await createToken(admin.id, 'ci script', SYSTEM_ACTOR);
await checkCredentials(admin.email, SMTP_PASSWORD, meta);
await checkCredentials(admin.email, TEST_PASSWORD, meta);
const created = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody({ username: SMTP_USER, password: SMTP_PASSWORD }) });
assert.equal(created.status, 201, created.text);
const url = `/api/v1/smtp-requests/${created.body.id}`;
assert.equal((await api('PATCH', url, { token: admin.token, body: { password: SMTP_PASSWORD_2 } })).status, 200);
assert.equal((await api('POST', `${url}/comments`, { token: admin.token, body: { body: 'Here it is.' } })).status, 201);
assert.equal((await api('POST', `${url}/transitions`, { token: tam.token, body: { to: 'in_review' } })).status, 200);
assert.equal((await api('POST', `${url}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: 'Which port?' } })).status, 200);

test('after real actions the chain verifies, event by event, through the API too', async () => {
  const count = await db.auditEvent.count();
  assert.ok(count >= 15, `only ${count} events`);
  assert.deepEqual(await verifyChain(), { ok: true, checked: count, firstBrokenSeq: null });
  const seqs = (await db.auditEvent.findMany({ select: { seq: true }, orderBy: { seq: 'asc' } })).map((e) => e.seq);
  assert.deepEqual(
    seqs,
    Array.from({ length: count }, (_, i) => i + 1),
    'seq runs 1..n without gaps',
  );
  const viaApi = await api('GET', '/api/v1/audit-events/verify', { token: auditor.token });
  assert.equal(viaApi.status, 200);
  assert.deepEqual({ ok: viaApi.body.ok, checked: viaApi.body.checked, firstBrokenSeq: viaApi.body.firstBrokenSeq }, { ok: true, checked: count, firstBrokenSeq: null });
});

test('verification reports its progress page by page, through the API as NDJSON lines, and stops when cancelled', async () => {
  const count = await db.auditEvent.count();
  const seen: VerifyProgress[] = [];
  assert.equal((await verifyFullChain({ pageSize: 4, onProgress: (p) => seen.push(p) })).ok, true);
  const pages = Math.ceil(count / 4);
  assert.deepEqual(
    seen,
    Array.from({ length: pages }, (_, i) => ({ checked: Math.min(4 * (i + 1), count), total: count })),
  );

  const streamed = await api('GET', '/api/v1/audit-events/verify', { token: auditor.token, headers: { accept: 'application/x-ndjson' } });
  assert.equal(streamed.status, 200);
  assert.match(streamed.headers.get('content-type') ?? '', /^application\/x-ndjson/);
  const lines = streamed.text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual(lines, [
    { type: 'progress', progress: { checked: count, total: count } },
    { type: 'report', report: { ok: true, checked: count, firstBrokenSeq: null, checkpoints: lines.at(-1).report.checkpoints } },
  ]);

  const cancelled = new AbortController();
  cancelled.abort();
  await assert.rejects(verifyFullChain({ signal: cancelled.signal }), { name: 'AbortError' });
  const member = await api('GET', '/api/v1/audit-events/verify', { token: admin.token, headers: { accept: 'application/x-ndjson' } });
  assert.equal(member.status, 403, 'a customer admin gets a problem, not a stream');
});

test('the database refuses UPDATE and DELETE on audit events', async () => {
  const count = await db.auditEvent.count();
  const middle = Math.ceil(count / 2);
  for (const sql of [
    `UPDATE "AuditEvent" SET "action" = 'forged' WHERE "seq" = ${middle}`,
    `UPDATE "AuditEvent" SET "after" = NULL`,
    `DELETE FROM "AuditEvent" WHERE "seq" = ${middle}`,
    `DELETE FROM "AuditEvent" WHERE "seq" = ${count}`,
    `DELETE FROM "AuditEvent"`,
  ]) {
    await assert.rejects(db.$executeRawUnsafe(sql), /append-only/, sql);
  }
  await assert.rejects(db.auditEvent.update({ where: { seq: middle }, data: { actorLabel: 'someone else' } }), /append-only/);
  await assert.rejects(db.auditEvent.deleteMany({}), /append-only/);
  assert.equal(await db.auditEvent.count(), count);
  assert.deepEqual(await verifyChain(), { ok: true, checked: count, firstBrokenSeq: null });
});

class Rollback extends Error {}

test(
  'PostgreSQL: TRUNCATE cannot wipe the audit trail either',
  { skip: !isPostgres && 'PostgreSQL only (SQLite has no TRUNCATE; DELETE without WHERE fires the trigger)' },
  async () => {
    // Inside a transaction that is always rolled back, so a failure here does not wipe the rest of the file.
    let wiped = false;
    await db
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('TRUNCATE "AuditEvent"').then(
          () => (wiped = true),
          () => {},
        );
        throw new Rollback();
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
    assert.equal(wiped, false, 'TRUNCATE "AuditEvent" succeeded: the trigger covers UPDATE and DELETE only, and verifyChain() calls an empty trail intact');
  },
);

// ── Tampering behind the database's back: the triggers are dropped (SQLite, through its own connection to
// the file) or disabled (PostgreSQL), an event is changed or removed, and the verifier must point at it.
type Unguarded = {
  set(seq: number, column: string, value: unknown): Promise<void>;
  remove(seq: number): Promise<void>;
  insert(row: Record<string, unknown>): Promise<void>;
  read(seq: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
};

async function unguarded(): Promise<Unguarded> {
  if (isPostgres) {
    await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"');
    return {
      set: async (seq, column, value) => void (await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "${column}" = $1 WHERE "seq" = $2`, value, seq)),
      remove: async (seq) => void (await db.$executeRawUnsafe('DELETE FROM "AuditEvent" WHERE "seq" = $1', seq)),
      insert: async (row) => {
        const cols = Object.keys(row);
        await db.$executeRawUnsafe(
          `INSERT INTO "AuditEvent" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`,
          ...Object.values(row),
        );
      },
      read: async (seq) => (await db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM "AuditEvent" WHERE "seq" = $1', seq))[0]!,
      close: async () => void (await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"')),
    };
  }
  const raw = new Database(process.env.DATABASE_URL!.replace(/^file:/, ''));
  const triggers = raw.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'AuditEvent'`).all() as { name: string; sql: string }[];
  assert.deepEqual(triggers.map((t) => t.name).sort(), ['AuditEvent_no_delete', 'AuditEvent_no_update']);
  for (const t of triggers) raw.exec(`DROP TRIGGER "${t.name}"`);
  return {
    set: async (seq, column, value) => void raw.prepare(`UPDATE "AuditEvent" SET "${column}" = ? WHERE "seq" = ?`).run(value, seq),
    remove: async (seq) => void raw.prepare('DELETE FROM "AuditEvent" WHERE "seq" = ?').run(seq),
    insert: async (row) => {
      const cols = Object.keys(row);
      raw.prepare(`INSERT INTO "AuditEvent" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`).run(...Object.values(row));
    },
    read: async (seq) => raw.prepare('SELECT * FROM "AuditEvent" WHERE "seq" = ?').get(seq) as Record<string, unknown>,
    close: async () => {
      for (const t of triggers) raw.exec(t.sql);
      raw.close();
    },
  };
}

/** Another value of the same type, as a forger would write it. */
function forged(column: string, value: unknown): unknown {
  if (column === 'at') {
    const shifted = new Date(new Date(value as string | Date).getTime() + 1000);
    return isPostgres ? shifted : shifted.toISOString().replace('Z', '+00:00');
  }
  if (column === 'seq') return (value as number) + 1000;
  if (column === 'hash' || column === 'prevHash') return 'f'.repeat(64);
  if (column === 'before' || column === 'after') return '{"status":"applied"}';
  return value === null ? 'forged' : `${String(value)}x`;
}

const verifyPages = verifyChain;

test('an event changed behind the database’s back is reported at its seq, and only while it is changed', async () => {
  const count = await db.auditEvent.count();
  const k = Math.ceil(count / 2);
  const clean = { ok: true, checked: count, firstBrokenSeq: null };
  const broken = (seq: number) => ({ ok: false, checked: seq - 1, firstBrokenSeq: seq });
  // Pages that end just before event k, and just after it: a change at k is on a page boundary.
  const verifyChain = () => verifyPages([undefined, 2, k - 1, k]);
  const raw = await unguarded();
  try {
    const original = await raw.read(k);
    for (const column of [
      'action',
      'actorLabel',
      'actorId',
      'actorType',
      'tenantId',
      'targetType',
      'targetId',
      'before',
      'after',
      'ip',
      'userAgent',
      'requestId',
      'at',
      'hash',
      'prevHash',
    ]) {
      await raw.set(k, column, forged(column, original[column]));
      assert.deepEqual(await verifyChain(), broken(k), `changing ${column} of event ${k}`);
      await raw.set(k, column, original[column]);
      assert.deepEqual(await verifyChain(), clean, `${column} restored`);
    }

    // Moving an event out of its place leaves a gap at k.
    await raw.set(k, 'seq', k + 1000);
    assert.deepEqual(await verifyChain(), broken(k));
    await raw.set(k + 1000, 'seq', k);

    // A forger who also recomputes the event's own hash is caught at the next link.
    const event = await db.auditEvent.findUniqueOrThrow({ where: { seq: k } });
    const rewritten = { ...event, at: event.at.toISOString(), after: '{"status":"applied"}' };
    await raw.set(k, 'after', rewritten.after);
    await raw.set(k, 'hash', eventHash(rewritten));
    assert.deepEqual(await verifyChain(), broken(k + 1));
    await raw.set(k, 'after', original.after);
    await raw.set(k, 'hash', original.hash);

    // A removed event: reported where it was; put back, the chain is whole again.
    await raw.remove(k);
    assert.deepEqual(await verifyChain(), broken(k));
    await raw.insert(original);
    assert.deepEqual(await verifyChain(), clean);

    const first = await raw.read(1);
    await raw.remove(1);
    assert.deepEqual(await verifyChain(), broken(1), 'removing the first event');
    await raw.insert(first);
    assert.deepEqual(await verifyChain(), clean);
  } finally {
    await raw.close();
  }
  await assert.rejects(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${k}`), /append-only/, 'the guard is back');
});

test('no audit event holds a password or a token, in plain text or base64', async () => {
  const events = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
  const tokens = [admin.token, tam.token, auditor.token, extraToken.token];
  const forms = [
    ...passwordForms(SMTP_PASSWORD, SMTP_USER),
    ...passwordForms(SMTP_PASSWORD_2, SMTP_USER),
    ...passwordForms(TEST_PASSWORD, admin.email),
    ...tokens.flatMap((t) => [...passwordForms(t), t.slice(4)]),
  ];
  const text = JSON.stringify(events);
  assert.deepEqual(leakedForms(text, forms), []);
  // The trail still says what happened to them.
  const actions = new Set(events.map((e) => e.action));
  for (const action of ['token.created', 'auth.sign_in_failed', 'auth.signed_in', 'request.created', 'request.edited', 'request.commented', 'request.status_changed']) {
    assert.ok(actions.has(action), `no ${action} event`);
  }
  const edit = events.find((e) => e.action === 'request.edited');
  assert.deepEqual(JSON.parse(edit!.after!), { password: 'changed' });
});
