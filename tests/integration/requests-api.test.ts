import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../helpers/api';
import { makeTenantWithPeople, validRequestBody, db } from '../helpers/factories';

test('the customer files a request and the TAM works it through the API', async () => {
  const { admin, member, tam } = await makeTenantWithPeople();

  const created = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody() });
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.number, /^SMTP-\d{4,}$/);
  assert.equal(created.body.status, 'submitted');
  assert.equal(created.body.hasPassword, true);
  assert.equal('password' in created.body, false);
  const id = created.body.id as string;

  // The member reads but cannot write.
  assert.equal((await api('GET', `/api/v1/smtp-requests/${id}`, { token: member.token })).status, 200);
  assert.equal((await api('PATCH', `/api/v1/smtp-requests/${id}`, { token: member.token, body: { notes: 'x' } })).status, 403);

  // The TAM finds it in the queue (oldest first) and takes it.
  const queue = await api('GET', '/api/v1/smtp-requests?order=oldest&status=submitted', { token: tam.token });
  assert.ok(queue.body.items.some((r: { id: string }) => r.id === id));
  const taken = await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'in_review' } });
  assert.equal(taken.status, 200, taken.text);
  assert.equal(taken.body.status, 'in_review');
  assert.equal(taken.body.assignee.email, tam.email);

  // needs_info requires a reason, which the customer then sees.
  const noReason = await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'needs_info' } });
  assert.equal(noReason.status, 422);
  assert.deepEqual(
    noReason.body.errors.map((e: { path: string }) => e.path),
    ['comment'],
  );
  const asked = await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: 'Is port 587 open from our side?' } });
  assert.equal(asked.body.status, 'needs_info');
  await api('POST', `/api/v1/smtp-requests/${id}/comments`, { token: tam.token, body: { body: 'internal: customer seems unsure', internal: true } });

  const thread = await api('GET', `/api/v1/smtp-requests/${id}/comments`, { token: admin.token });
  assert.deepEqual(
    thread.body.items.map((c: { body: string }) => c.body),
    ['Is port 587 open from our side?'],
  );
  const staffThread = await api('GET', `/api/v1/smtp-requests/${id}/comments`, { token: tam.token });
  assert.equal(staffThread.body.items.length, 2);

  // A customer cannot write internal comments.
  const sneaky = await api('POST', `/api/v1/smtp-requests/${id}/comments`, { token: admin.token, body: { body: 'hi', internal: true } });
  assert.equal(sneaky.status, 403);

  // A TAM's public comment does not answer for the customer: the request keeps waiting.
  await api('POST', `/api/v1/smtp-requests/${id}/comments`, { token: tam.token, body: { body: 'Also: which port?' } });
  assert.equal((await api('GET', `/api/v1/smtp-requests/${id}`, { token: tam.token })).body.status, 'needs_info');

  // The customer's answer by comment gives the request back to its TAM (no need to take it again).
  const answer = await api('POST', `/api/v1/smtp-requests/${id}/comments`, { token: admin.token, body: { body: 'Yes, and we switched to 2525.' } });
  assert.equal(answer.status, 201);
  const answered = await api('GET', `/api/v1/smtp-requests/${id}`, { token: tam.token });
  assert.equal(answered.body.status, 'in_review');
  assert.equal(answered.body.assignee.email, tam.email);
  const reopened = await db.auditEvent.findFirst({ where: { targetId: id, action: 'request.status_changed' }, orderBy: { seq: 'desc' } });
  assert.deepEqual([JSON.parse(reopened!.before!).status, JSON.parse(reopened!.after!).status], ['needs_info', 'in_review']);

  // Asked again, the customer answers by editing: back in review with its TAM too.
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: 'Which port now?' } })).status, 200);
  const edited = await api('PATCH', `/api/v1/smtp-requests/${id}`, { token: admin.token, body: { port: 2525, password: 'An0ther-Secret' } });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.status, 'in_review');
  assert.equal(edited.body.assignee.email, tam.email);
  assert.equal(edited.body.port, 2525);
  assert.notEqual(edited.body.fingerprint, created.body.fingerprint);

  // The TAM can also take a waiting request back into review without an answer.
  assert.equal((await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: 'Anything else?' } })).status, 200);
  const back = await api('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'in_review' } });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.status, 'in_review');

  const staffView = await api('GET', `/api/v1/smtp-requests/${id}/comments`, { token: tam.token });
  assert.ok(staffView.body.items.some((c: { body: string }) => c.body === 'Yes, and we switched to 2525.'));
});

test('changing the destination drops the stored password: it must be typed again', async () => {
  const { admin } = await makeTenantWithPeople();
  const { body } = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody() });

  const notesOnly = await api('PATCH', `/api/v1/smtp-requests/${body.id}`, { token: admin.token, body: { notes: 'updated' } });
  assert.equal(notesOnly.status, 200);
  assert.equal(notesOnly.body.hasPassword, true);
  assert.equal(notesOnly.body.fingerprint, body.fingerprint, 'notes are not part of the configuration');

  for (const change of [{ host: 'smtp.other.example' }, { port: 465, encryption: 'tls' }, { encryption: 'none' }, { username: 'someone-else' }]) {
    const refused = await api('PATCH', `/api/v1/smtp-requests/${body.id}`, { token: admin.token, body: change });
    assert.equal(refused.status, 422, JSON.stringify(change));
    assert.deepEqual(refused.body.errors, [{ path: 'password', message: 'The server, port, encryption or username changed: type the password again.', code: 'passwordRetype' }]);
  }
  const row = await db.smtpRequest.findUniqueOrThrow({ where: { id: body.id } });
  assert.equal(row.host, 'smtp.example.com', 'a refused edit changes nothing');

  const retyped = await api('PATCH', `/api/v1/smtp-requests/${body.id}`, { token: admin.token, body: { host: 'smtp.other.example', password: 'N3w-Pass' } });
  assert.equal(retyped.status, 200);
  assert.equal(retyped.body.hasPassword, true);
  const after = await db.smtpRequest.findUniqueOrThrow({ where: { id: body.id } });
  assert.notEqual(after.passwordCipher, row.passwordCipher);

  const noAuth = await api('PATCH', `/api/v1/smtp-requests/${body.id}`, { token: admin.token, body: { host: 'smtp.third.example', authMethod: 'none' } });
  assert.equal(noAuth.status, 200, noAuth.text);
  assert.equal(noAuth.body.hasPassword, false);
  assert.equal(noAuth.body.username, '');
});

test('invalid bodies name every bad field and write nothing', async () => {
  const { admin, tenant } = await makeTenantWithPeople();
  const before = await db.smtpRequest.count({ where: { tenantId: tenant.id } });
  const bad = await api('POST', '/api/v1/smtp-requests', {
    token: admin.token,
    headers: { 'accept-language': 'en' },
    body: validRequestBody({
      host: 'smtp.exa mple.com',
      port: 0,
      noReplyAddress: `${'a'.repeat(65)}@example.com`,
      supportContact: 'ftp://x',
      testRecipient: 'ops@example.com\r\nBcc: evil@example.com',
      username: '',
    }),
  });
  assert.equal(bad.status, 422);
  assert.equal(bad.headers.get('content-type'), 'application/problem+json');
  const byPath = Object.fromEntries(bad.body.errors.map((e: { path: string; code: string }) => [e.path, e.code]));
  assert.deepEqual(Object.keys(byPath).sort(), ['host', 'noReplyAddress', 'port', 'supportContact', 'testRecipient', 'username'].sort());
  assert.equal(byPath.noReplyAddress, 'localPartTooLong');
  assert.equal(await db.smtpRequest.count({ where: { tenantId: tenant.id } }), before);

  const notJson = await api('POST', '/api/v1/smtp-requests', { token: admin.token, rawBody: '{"host":', headers: { 'content-type': 'application/json' } });
  assert.equal(notJson.status, 400);
  const unknownField = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: { ...validRequestBody(), tenantId: 'other' } });
  assert.equal(unknownField.status, 422);
});

test('the list paginates with a cursor and never repeats or skips', async () => {
  const { admin } = await makeTenantWithPeople();
  const ids = new Set<string>();
  for (let i = 0; i < 7; i++) ids.add((await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody({ notes: `n${i}` }) })).body.id);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/api/v1/smtp-requests?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await api('GET', q, { token: admin.token });
    assert.equal(page.status, 200, page.text);
    seen.push(...page.body.items.map((r: { id: string }) => r.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 7);
  assert.deepEqual(new Set(seen), ids);
  assert.equal((await api('GET', '/api/v1/smtp-requests?cursor=garbage', { token: admin.token })).status, 422);
});

test('withdrawal is the customer admin’s, and only until applied', async () => {
  const { admin, tam } = await makeTenantWithPeople();
  const { body } = await api('POST', '/api/v1/smtp-requests', { token: admin.token, body: validRequestBody() });
  assert.equal((await api('POST', `/api/v1/smtp-requests/${body.id}/transitions`, { token: tam.token, body: { to: 'withdrawn' } })).status, 403);
  const withdrawn = await api('POST', `/api/v1/smtp-requests/${body.id}/transitions`, { token: admin.token, body: { to: 'withdrawn' } });
  assert.equal(withdrawn.body.status, 'withdrawn');
  const again = await api('POST', `/api/v1/smtp-requests/${body.id}/transitions`, { token: tam.token, body: { to: 'in_review' } });
  assert.equal(again.status, 409);
});
