import '../helpers/test-env';
// Property-based: random and hostile bodies to every write route, as a customer admin and as a TAM.
// Whatever arrives: never a 500, always problem+json on refusal (with errors[].path on 422), never a
// partial write, and nothing with a control character reaches a field that goes to SMTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { api } from '../helpers/api';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { makeTenantWithPeople, validRequestBody, db, type TestUser } from '../helpers/factories';
import { createRequest } from '@/server/requests/create-request';

await assertFreshDatabase(db);

const NUM_RUNS = Number(process.env.HOSTILE_RUNS ?? 60);
const { admin, tam } = await makeTenantWithPeople();

const REQUEST_FIELDS = Object.keys(validRequestBody());
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const SMTP_FIELDS = ['host', 'username', 'heloDomain', 'noReplyAddress', 'noReplyName', 'supportContact', 'testRecipient'] as const;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// ── Hostile values.
const controlChar = fc.constantFrom('\r', '\n', '\r\n', '\0', '\u0085', '\u0007', '\u001b', '\u007f', '\t', '\u000b', '\u000c', '\u009b');
const plausible = fc.constantFrom(
  'smtp.example.com',
  'noreply@example.com',
  'ops@example.com',
  'https://support.example.com',
  'mail.example.com',
  'user',
  '587',
  'starttls',
  'login',
  'in_review',
);
const injected = fc
  .tuple(plausible, controlChar, fc.constantFrom('', 'RCPT TO:<victim@evil.test>', 'Bcc: victim@evil.test', 'QUIT', 'x'), fc.nat(40))
  .map(([value, c, tail, at]) => {
    const i = at % (value.length + 1);
    return `${value.slice(0, i)}${c}${tail}${value.slice(i)}`;
  });
const oddities = fc.constantFrom(
  '',
  ' ',
  '.',
  '..',
  '@',
  'a@',
  '@b',
  'a@b',
  'a@@b.c',
  '[127.0.0.1]',
  '[::1]',
  'localhost',
  '-host.example.com',
  'host-.example.com',
  'smtp.exаmple.com',
  'smtp.例え.jp',
  'ユーザー@例え.jp',
  'javascript:alert(1)',
  'ftp://example.com',
  'http://',
  'https://exa mple.com',
  'mailto:ops@example.com',
  '0',
  '-1',
  '65536',
  '1e3',
  '587.5',
  'NaN',
  'Infinity',
  'null',
  'true',
  '{}',
  '[]',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ud800',
  '🙂'.repeat(70),
  `${'a'.repeat(64)}@example.com`,
  `${'a'.repeat(65)}@example.com`,
  `${'a'.repeat(63)}.example.com`,
  `${'a'.repeat(64)}.example.com`,
  `${'a.'.repeat(127)}com`,
  '%0d%0aRCPT TO:<x@y.z>',
  '\'; DROP TABLE "SmtpRequest"; --',
);
const huge = fc.integer({ min: 200, max: 70_000 }).chain((n) => fc.constantFrom('a', 'é', '\u0000', '.', 'ab@').map((unit) => unit.repeat(Math.ceil(n / unit.length))));
const hostileString = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 2 },
  { arbitrary: injected, weight: 4 },
  { arbitrary: oddities, weight: 4 },
  { arbitrary: huge, weight: 1 },
  { arbitrary: fc.integer().map(String), weight: 1 },
);
const pollution = fc.constantFrom({ polluted: 'yes' }, { prototype: { polluted: 'yes' } }, { isAdmin: true, role: 'admin' });
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 6 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(0, -0, 1e308, Number.MAX_SAFE_INTEGER + 2)), weight: 2 },
  { arbitrary: fc.array(fc.oneof(hostileString, fc.integer()), { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: pollution, weight: 1 },
);

// Bodies are serialized from entry lists, so "__proto__" and repeated keys reach the server as sent.
type Payload = { rawBody: string; contentType: string; label: string };
const objectText = (entries: [string, unknown][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;

function payloads(fields: string[], base: () => Record<string, unknown>): fc.Arbitrary<Payload> {
  const key = fc.oneof(
    { arbitrary: fc.constantFrom(...fields), weight: 4 },
    { arbitrary: fc.constantFrom(...PROTO_KEYS), weight: 2 },
    { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
  );
  const json =
    (label: string) =>
    (text: string): Payload => ({ rawBody: text, contentType: 'application/json', label });
  const smtpFields = fields.filter((f) => (SMTP_FIELDS as readonly string[]).includes(f));
  return fc.oneof(
    // A valid body with one to three fields made hostile, and maybe some left out.
    {
      weight: 6,
      arbitrary: fc.tuple(fc.array(fc.tuple(key, hostileValue), { minLength: 1, maxLength: 3 }), fc.subarray(fields, { maxLength: 2 })).map(([overrides, dropped]) => {
        const entries: [string, unknown][] = Object.entries(base()).filter(([k]) => !dropped.includes(k));
        for (const [k, v] of overrides) {
          const i = entries.findIndex(([e]) => e === k);
          if (i >= 0 && !PROTO_KEYS.includes(k)) entries[i] = [k, v];
          else entries.push([k, v]);
        }
        return json('hostile fields')(objectText(entries));
      }),
    },
    // A valid body with one field set to an odd but string-typed value: free text often passes, and must be stored clean.
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...fields), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 40 }), oddities, injected))
        .map(([k, v]) => json('one odd string')(objectText(Object.entries({ ...base(), [k]: v })))),
    },
    // A control character spliced into a field that reaches SMTP: the header/command injection case.
    ...(smtpFields.length > 0
      ? [
          {
            weight: 4,
            arbitrary: fc.tuple(fc.constantFrom(...smtpFields), controlChar, fc.nat(40)).map(([k, c, at]) => {
              const value = String(base()[k] ?? validRequestBody()[k as keyof ReturnType<typeof validRequestBody>]);
              const i = at % (value.length + 1);
              return json('control character in an SMTP field')(objectText(Object.entries({ ...base(), [k]: `${value.slice(0, i)}${c}${value.slice(i)}` })));
            }),
          },
        ]
      : []),
    { weight: 2, arbitrary: fc.array(fc.tuple(key, hostileValue), { maxLength: 8 }).map((entries) => json('random object')(objectText(entries))) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => json('random JSON value')(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map(json('not JSON')) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x')
        .map((contentType): Payload => ({ rawBody: JSON.stringify(base()), contentType, label: 'wrong content type' })),
    },
  );
}

// ── Invariants of one call.
async function counts() {
  const [row] = await db.$queryRawUnsafe<{ requests: unknown; comments: unknown; audit: unknown }[]>(
    'SELECT (SELECT COUNT(*) FROM "SmtpRequest") AS requests, (SELECT COUNT(*) FROM "Comment") AS comments, (SELECT COUNT(*) FROM "AuditEvent") AS audit',
  );
  return { requests: Number(row!.requests), comments: Number(row!.comments), audit: Number(row!.audit) };
}
const readRow = (id: string) => db.smtpRequest.findUniqueOrThrow({ where: { id } });

async function assertStoredRequestIsClean(id: string) {
  const row = await readRow(id);
  for (const field of SMTP_FIELDS) assert.doesNotMatch(row[field], CONTROL, `stored ${field} holds a control character: ${JSON.stringify(row[field])}`);
  assert.ok(Number.isInteger(row.port) && row.port >= 1 && row.port <= 65535, `stored port ${row.port}`);
  assert.ok(['none', 'starttls', 'tls'].includes(row.encryption));
  assert.ok(['auto', 'plain', 'login', 'cram-md5', 'none'].includes(row.authMethod));
  assert.ok(row.noReplyAddress.length <= 254 && row.testRecipient.length <= 254 && row.host.length <= 253);
}

function assertNoPollution() {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined, 'Object.prototype was polluted');
  assert.equal(probe.isAdmin, undefined, 'Object.prototype was polluted');
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
}

type Route = {
  name: string;
  method: 'POST' | 'PATCH';
  actor: TestUser;
  fields: string[];
  base: () => Record<string, unknown>;
  /** The request to address; a route whose success moves the request gets a fresh one per run. */
  target: (() => Promise<string>) | null;
  mayAccept: boolean;
  /** What a successful call returns, and which request row it wrote. */
  accepted: (res: { status: number; body: any }, targetId: string | null) => Promise<void>;
};

const newRequest = async () => (await createRequest(admin, validRequestBody())).id;
let patchTarget = await newRequest();
let transitionTarget = await newRequest();
const commentTarget = await newRequest();

const ROUTES: Route[] = [
  ...[admin, tam].map((actor): Route => ({
    name: `POST /api/v1/smtp-requests as ${actor.role}`,
    method: 'POST',
    actor,
    fields: REQUEST_FIELDS,
    base: () => validRequestBody(),
    target: null,
    mayAccept: actor === admin,
    accepted: async (res) => {
      assert.equal(res.status, 201);
      await assertStoredRequestIsClean(res.body.id);
    },
  })),
  ...[admin, tam].map((actor): Route => ({
    name: `PATCH /api/v1/smtp-requests/{id} as ${actor.role}`,
    method: 'PATCH',
    actor,
    fields: REQUEST_FIELDS,
    base: () => ({ notes: 'hostile patch' }),
    mayAccept: actor === admin,
    target: async () => {
      // An accepted patch keeps the request editable; start over only if something moved it on.
      if ((await readRow(patchTarget)).status !== 'submitted') patchTarget = await newRequest();
      return patchTarget;
    },
    accepted: async (res, id) => {
      assert.equal(res.status, 200);
      await assertStoredRequestIsClean(id!);
    },
  })),
  ...[admin, tam].map((actor): Route => ({
    name: `POST /api/v1/smtp-requests/{id}/comments as ${actor.role}`,
    method: 'POST',
    actor,
    fields: ['body', 'internal'],
    base: () => ({ body: 'hostile comment', internal: false }),
    target: async () => commentTarget,
    mayAccept: true,
    accepted: async (res) => {
      assert.equal(res.status, 201);
      const row = await db.comment.findUniqueOrThrow({ where: { id: res.body.id } });
      assert.ok(!row.body.includes('\u0000') && row.body.trim().length > 0 && row.body.length <= 10_000);
      if (actor === admin) assert.equal(row.internal, false, 'a customer never writes an internal comment');
    },
  })),
  ...[admin, tam].map((actor): Route => ({
    name: `POST /api/v1/smtp-requests/{id}/transitions as ${actor.role}`,
    method: 'POST',
    actor,
    fields: ['to', 'comment'],
    base: () => (actor === tam ? { to: 'in_review' } : { to: 'withdrawn' }),
    target: async () => {
      if ((await readRow(transitionTarget)).status !== 'submitted') transitionTarget = await newRequest();
      return transitionTarget;
    },
    mayAccept: true,
    accepted: async (res, id) => {
      assert.equal(res.status, 200);
      assert.ok(['in_review', 'withdrawn', 'rejected'].includes((await readRow(id!)).status));
    },
  })),
];

for (const route of ROUTES) {
  test(`${route.name}: hostile bodies never 500, never write part of anything`, async () => {
    const seen = { accepted: 0, refused: new Map<number, number>() };
    await fc.assert(
      fc.asyncProperty(payloads(route.fields, route.base), async (payload) => {
        const id = route.target ? await route.target() : null;
        const path = route.name.split(' ')[1]!.replace('{id}', id ?? '');
        const targetBefore = id ? await readRow(id) : null;
        const before = await counts();

        const res = await api(route.method, path, { token: route.actor.token, rawBody: payload.rawBody, headers: { 'content-type': payload.contentType } });

        assert.ok(res.status < 500, `${payload.label} → ${res.status} ${res.text.slice(0, 200)}`);
        if (res.status >= 400) {
          seen.refused.set(res.status, (seen.refused.get(res.status) ?? 0) + 1);
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
          assert.equal(res.body?.status, res.status);
          assert.equal(typeof res.body.title, 'string');
          assert.equal(typeof res.body.detail, 'string');
          if (res.status === 422) {
            assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0, `422 without errors: ${res.text.slice(0, 200)}`);
            for (const e of res.body.errors) {
              assert.equal(typeof e.path, 'string');
              assert.ok(e.path.length > 0, 'every field error names a path');
              assert.ok(typeof e.message === 'string' && e.message.length > 0);
            }
          }
          assert.deepEqual(await counts(), before, 'a refused call writes nothing');
          if (id) assert.deepEqual(await readRow(id), targetBefore, 'a refused call leaves the request as it was');
        } else {
          seen.accepted += 1;
          const after = await counts();
          assert.ok(after.audit > before.audit, 'an accepted call is audited');
          await route.accepted(res, id);
        }
        assertNoPollution();
      }),
      // The unchanged base body always runs too, so that "some call was accepted" never rests on chance.
      { numRuns: NUM_RUNS, examples: [[{ rawBody: JSON.stringify(route.base()), contentType: 'application/json', label: 'the base body, unchanged' }]] },
    );
    // The property must have looked at both sides, or it proved nothing; a TAM never creates or edits.
    assert.ok([...seen.refused.values()].reduce((a, b) => a + b, 0) > 0, 'no call was refused');
    if (route.mayAccept) assert.ok(seen.accepted > 0, `no call was accepted: ${JSON.stringify([...seen.refused])}`);
    else assert.equal(seen.accepted, 0, `a ${route.actor.role} had ${seen.accepted} calls accepted`);
  });
}

// ── The same rules, case by case: each field that reaches SMTP refuses each control character and each
// over-long or malformed value, on create and on edit, with an error naming that field.
const VALID = validRequestBody() as Record<string, string | number>;
const CONTROL_CHARS = { CR: '\r', LF: '\n', CRLF: '\r\n', NUL: '\0', NEL: '\u0085', TAB: '\t', ESC: '\u001b', DEL: '\u007f' };
const BAD_VALUES: [field: string, label: string, value: string][] = [
  ...['host', 'username', 'password', 'heloDomain', 'noReplyAddress', 'noReplyName', 'supportContact', 'testRecipient'].flatMap((field) =>
    Object.entries(CONTROL_CHARS).map(([name, c]): [string, string, string] => {
      const v = String(VALID[field]);
      return [field, name, `${v.slice(0, 4)}${c}${v.slice(4)}`];
    }),
  ),
  ['notes', 'NUL', 'fine\0not fine'],
  ['noReplyAddress', 'local part of 65', `${'a'.repeat(65)}@example.com`],
  ['testRecipient', 'address of 255', `${'a'.repeat(60)}@${`${'b'.repeat(60)}.`.repeat(3)}${'c'.repeat(7)}.com`],
  ['host', 'label of 64', `${'a'.repeat(64)}.example.com`],
  ['host', 'name of 254', `${'a.'.repeat(126)}co`],
  ['heloDomain', 'label of 64', `${'a'.repeat(64)}.example.com`],
  ['host', 'space', 'smtp example.com'],
  ['noReplyAddress', 'no domain', 'noreply@'],
  ['testRecipient', 'two @', 'ops@@example.com'],
  ['supportContact', 'ftp URL', 'ftp://support.example.com'],
  ['supportContact', 'javascript URL', 'javascript:alert(1)'],
  ['supportContact', 'URL with a space', 'https://support.example.com/a b'],
  ['port', 'zero', '0'],
  ['port', 'too big', '65536'],
  ['port', 'fraction', '587.5'],
  ['encryption', 'unknown', 'ssl'],
  ['authMethod', 'unknown', 'xoauth2'],
];

test('every field refuses control characters, over-long and malformed values, naming the field, writing nothing', async () => {
  assert.equal(
    BAD_VALUES.find(([, , v]) => v.length === 0),
    undefined,
  );
  const target = await newRequest();
  for (const [field, label, value] of BAD_VALUES) {
    for (const [method, path, body] of [
      ['POST', '/api/v1/smtp-requests', { ...validRequestBody(), [field]: value }],
      ['PATCH', `/api/v1/smtp-requests/${target}`, { [field]: value, ...(field === 'password' ? {} : { password: 'Retyped-Pa55' }) }],
    ] as const) {
      const before = await counts();
      const targetBefore = await readRow(target);
      const res = await api(method, path, { token: admin.token, body });
      assert.equal(res.status, 422, `${method} ${field} with ${label}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.ok(
        res.body.errors.some((e: { path: string }) => e.path === field),
        `${method} ${field} with ${label}: errors name ${JSON.stringify(res.body.errors)}`,
      );
      assert.deepEqual(await counts(), before);
      assert.deepEqual(await readRow(target), targetBefore);
    }
  }
});
