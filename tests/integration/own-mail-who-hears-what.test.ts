import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeTenantWithPeople, makeUser, validRequestBody } from '../helpers/factories';
import { allowLocalServers, papi, SMTP_PASSWORD, SMTP_USER, startSink, testWorker, waitFor, type Sink } from '../pipeline/helpers';
import { leakedForms, passwordForms } from '../helpers/secret-forms';
import { mailsOf, OWN_PASSWORD, OWN_USER, PUBLIC_URL, startOwnMailServer, type ParsedMail } from '../helpers/own-mail-server';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { resetProbeBudgets } from '@/server/probes/rate-limit';

let own: Sink;
let tenantServer: Sink;
let worker: PipelineWorker;

before(async () => {
  own = await startOwnMailServer();
  tenantServer = await startSink();
  await allowLocalServers(tenantServer.port);
  worker = testWorker();
});
after(async () => {
  await worker.stop(500);
  await own.close();
  await tenantServer.close();
});

/** Waits until every own mail stored so far is sent, then returns the mails received since `from`. */
async function settle(from: number): Promise<ParsedMail[]> {
  await waitFor('own mail sent', async () => (await db.ownMail.count({ where: { status: { in: ['queued', 'retrying'] } } })) === 0, 20_000);
  return mailsOf(own).slice(from);
}

const to = (mails: ParsedMail[], email: string) => mails.filter((m) => m.to === email);

test('each event reaches exactly the right people, once, in their language, threaded per request; preferences and disabled users are respected', { timeout: 120_000 }, async () => {
  await resetProbeBudgets();
  const people = await makeTenantWithPeople();
  const { admin, member, tam, tenant } = people;
  const zhAdmin = await makeUser('customer-admin', tenant.slug);
  await db.user.update({ where: { id: zhAdmin.id }, data: { locale: 'zh-CN' } });
  const gone = await makeUser('customer-admin', tenant.slug);
  await db.user.update({ where: { id: gone.id }, data: { disabledAt: new Date() } });
  const otherTam = await makeUser('tam'); // not assigned to this tenant: hears nothing
  // The zh-CN admin wants no mail about applies (the in-app notice stays).
  await db.notificationPreference.create({ data: { userId: zhAdmin.id, kind: 'request.applied', mail: false, inApp: true } });

  // A new request: the tenant's TAM (nobody has taken it yet).
  let seen = own.received.length;
  const body = validRequestBody({
    host: 'localhost',
    port: tenantServer.port,
    encryption: 'starttls',
    authMethod: 'plain',
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    heloDomain: 'relaydesk.test',
    noReplyAddress: 'noreply@acme.test',
    testRecipient: 'ops@acme.test',
  });
  const created = await papi('POST', '/api/v1/smtp-requests', { token: admin.token, body });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id as string;
  const ref = created.body.number as string;
  let mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]),
    [[tam.email, 'request.created']],
  );
  assert.match(mails[0]!.subject, new RegExp(`^\\[${ref}\\] `));
  assert.ok(mails[0]!.text.includes(`${PUBLIC_URL}/requests/${id}`), 'an absolute link to the request');
  assert.equal(mails[0]!.header('Auto-Submitted'), 'auto-generated');
  assert.equal(mails[0]!.header('List-Unsubscribe'), `<${PUBLIC_URL}/profile#notification-preferences>`);
  assert.match(mails[0]!.raw, /Content-Type: multipart\/alternative/i, 'plain text and HTML');
  assert.match(mails[0]!.raw, /Content-Type: text\/html/i);
  const thread = mails[0]!.inReplyTo;
  assert.match(thread, /^<thread-[0-9a-f]+@relaydesk\.test>$/);

  // Taken: the customer admins (in their language), not the member, not the disabled admin, not the TAM who took it.
  seen = own.received.length;
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'in_review' } })).status, 200);
  mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]).sort(),
    [
      [admin.email, 'request.taken'],
      [zhAdmin.email, 'request.taken'],
    ].sort(),
  );
  assert.match(to(mails, admin.email)[0]!.subject, /Your request is being reviewed/);
  assert.match(to(mails, zhAdmin.email)[0]!.subject, /您的请求正在审核/);
  assert.match(to(mails, zhAdmin.email)[0]!.text, /您好/);

  // Needs information: one mail each, with the TAM's question (not a second one for the comment it carries).
  seen = own.received.length;
  const question = 'Which port does your relay accept submissions on?';
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${id}/transitions`, { token: tam.token, body: { to: 'needs_info', comment: question } })).status, 200);
  mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]).sort(),
    [
      [admin.email, 'request.needs_info'],
      [zhAdmin.email, 'request.needs_info'],
    ].sort(),
  );
  assert.ok(to(mails, admin.email)[0]!.text.includes(question));

  // The customer answers by comment: the assigned TAM hears it (the other admin does not: it is for the TAM).
  seen = own.received.length;
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${id}/comments`, { token: admin.token, body: { body: 'Port 587 with STARTTLS.' } })).status, 201);
  mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]),
    [[tam.email, 'request.customer_commented']],
  );
  assert.ok(mails[0]!.text.includes('Port 587 with STARTTLS.'));

  // An internal comment tells nobody; a public staff comment tells the customer admins.
  seen = own.received.length;
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${id}/comments`, { token: tam.token, body: { body: 'internal note', internal: true } })).status, 201);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${id}/comments`, { token: tam.token, body: { body: 'Thanks, checking now.' } })).status, 201);
  mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]).sort(),
    [
      [admin.email, 'request.staff_commented'],
      [zhAdmin.email, 'request.staff_commented'],
    ].sort(),
  );
  assert.ok(!mails.some((m) => m.text.includes('internal note')));

  // Test send (customer-safe summary), then apply (with the version).
  seen = own.received.length;
  const sent = await papi('POST', `/api/v1/smtp-requests/${id}/test-send`, { token: tam.token, body: {} });
  assert.equal(sent.body.ok, true, sent.text);
  mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]).sort(),
    [
      [admin.email, 'request.checked'],
      [zhAdmin.email, 'request.checked'],
    ].sort(),
  );
  assert.match(to(mails, admin.email)[0]!.subject, /Test email: passed/);
  assert.ok(!/250|EHLO|AUTH/.test(to(mails, admin.email)[0]!.text), 'a summary, not a transcript');

  seen = own.received.length;
  const applied = await papi('POST', `/api/v1/smtp-requests/${id}/apply`, { token: tam.token });
  assert.equal(applied.status, 201, applied.text);
  mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]),
    [[admin.email, 'request.applied']],
    'the zh-CN admin silenced applies by mail',
  );
  assert.match(mails[0]!.subject, /Applied as version 1/);
  assert.equal(await db.inAppNotice.count({ where: { userId: zhAdmin.id, kind: 'request.applied' } }), 1, 'the in-app notice stays');

  // Pause by the TAM: the customer admins (the TAM paused it: not told).
  seen = own.received.length;
  assert.equal((await papi('PATCH', `/api/v1/tenants/${tenant.slug}/pipeline`, { token: tam.token, body: { paused: true, reason: 'Maintenance window' } })).status, 200);
  mails = await settle(seen);
  assert.deepEqual(
    mails.map((m) => [m.to, m.kind]).sort(),
    [
      [admin.email, 'pipeline.paused'],
      [zhAdmin.email, 'pipeline.paused'],
    ].sort(),
  );
  assert.ok(mails[0]!.text.includes('Maintenance window'));
  assert.match(mails[0]!.subject, new RegExp(`^\\[${tenant.name}\\] `));

  // Every request mail threads under one root; Message-IDs are distinct.
  const all = mailsOf(own).filter((m) => m.subject.startsWith(`[${ref}]`));
  assert.ok(all.length >= 10);
  assert.ok(
    all.every((m) => m.inReplyTo === thread && m.references.includes(thread)),
    'one thread per request',
  );
  assert.equal(new Set(all.map((m) => m.messageId)).size, all.length);

  // Nobody outside the audience, nothing to the disabled admin or the member, nothing to the actor.
  const everyone = mailsOf(own).map((m) => m.to);
  for (const silent of [member.email, gone.email, otherTam.email]) assert.ok(!everyone.includes(silent), `${silent} got nothing`);
  assert.equal(await db.inAppNotice.count({ where: { userId: { in: [member.id, gone.id, otherTam.id] } } }), 0);
  assert.equal(await db.ownMail.count({ where: { userId: gone.id } }), 0);

  // No secret of any kind: neither Relaydesk's own SMTP password nor the tenant's, plain or encoded.
  const forms = [...passwordForms(OWN_PASSWORD, OWN_USER), ...passwordForms(SMTP_PASSWORD, SMTP_USER)];
  for (const m of mailsOf(own)) assert.deepEqual(leakedForms(m.raw, forms), [], `no secret in ${m.kind}`);
  const stored = await db.ownMail.findMany();
  assert.deepEqual(leakedForms(JSON.stringify(stored), forms), []);
});

test('sensitive mail is encrypted at rest and decrypted only to send', { timeout: 30_000 }, async () => {
  const { enqueueOwnMail } = await import('@/server/own-mail/enqueue-own-mail');
  const link = `${PUBLIC_URL}/invitations/one-time-0123456789abcdef`;
  const seen = own.received.length;
  await db.$transaction((tx) =>
    enqueueOwnMail(tx, {
      to: 'new.person@customer.test',
      locale: 'en',
      kind: 'invitation',
      subject: 'You are invited',
      text: `Set your password: ${link}`,
      html: `<p><a href="${link}">Set your password</a></p>`,
      sensitive: true,
    }),
  );
  const row = await db.ownMail.findFirstOrThrow({ where: { kind: 'invitation' } });
  assert.ok(!row.text.includes(link) && !row.html.includes(link), 'not readable in the database');
  const mails = await settle(seen);
  assert.equal(mails.length, 1);
  assert.ok(mails[0]!.text.includes(link), 'readable in the mail');
});
