import '../helpers/test-env';
// Invitations by email: an admin or a customer admin (own tenant, customer roles) invites; the mail in the
// invitee's language carries a one-time link valid 72 hours; accepting sets a password and creates the
// user; resend kills the old link, revoke ends it; guessing links is throttled; everything is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readQueuedOwnMail } from '../helpers/own-mail';
import { refusal } from '../helpers/refusal';
import { assertFreshDatabase } from '../helpers/fresh-database';
import { db, makeTenantWithPeople, makeUser, unique, TEST_PASSWORD } from '../helpers/factories';
import { createInvitation, listInvitations, resendInvitation, revokeInvitation } from '@/server/invitations/manage-invitations';
import { acceptInvitation, openInvitation } from '@/server/invitations/accept-invitation';
import { checkCredentials } from '@/server/auth/sign-in';
import { hashToken } from '@/server/auth/tokens';
import { problemFromError } from '@/server/http/problem';
import { AppError } from '@/server/app-error';

await assertFreshDatabase(db);

const ORIGIN = 'https://relaydesk.test';
const HOUR = 3_600_000;
const admin = await makeUser('admin');
const meta = (ip: string | null = '198.51.100.7') => ({ ip, userAgent: 'invitation test', requestId: null });
const newPassword = 'a-fresh-password-42';
const accept = (token: string, now?: Date, ip?: string | null) => acceptInvitation(token, { password: newPassword, confirm: newPassword }, meta(ip), now);

/** The link of the last mail queued to `email`, its token, and the language it opens the page in. */
async function lastLink(email: string): Promise<{ link: string; token: string; lang: string }> {
  const mails = await readQueuedOwnMail(email);
  const mail = mails.at(-1);
  assert.ok(mail, `a mail to ${email}`);
  const link = /https:\/\/relaydesk\.test\/invitations\/(rdi_[A-Za-z0-9_-]+)\?lang=([A-Za-z-]+)/.exec(mail.text);
  assert.ok(link, 'the plain text carries the link, with the language of the invitation');
  assert.ok(mail.html.includes(`href="${link[0]}"`), 'the HTML carries the link');
  return { link: link[0], token: link[1]!, lang: link[2]! };
}

const email = () => `${unique('invitee')}@example.test`;

test('an admin invites a member in Chinese: one mail, a link that works once, and the user exists only after accepting', async () => {
  const { tenant } = await makeTenantWithPeople();
  const to = email();
  const before = (await readQueuedOwnMail(to)).length;
  const invited = await createInvitation(admin, { email: to.toUpperCase(), name: '王小明', role: 'customer-member', tenant: tenant.slug, locale: 'zh-CN' }, { origin: ORIGIN });
  assert.equal(invited.email, to, 'addresses are kept in lower case');
  assert.ok(!JSON.stringify(invited).includes('rdi_'), 'the token is never returned');

  const mails = await readQueuedOwnMail(to);
  assert.equal(mails.length, before + 1, 'exactly one mail');
  const mail = mails.at(-1)!;
  assert.deepEqual([mail.locale, mail.kind, mail.sensitive, mail.userId], ['zh-CN', 'invitation', true, null]);
  assert.match(mail.subject, /邀请您加入 Relaydesk/);
  assert.match(mail.text, /王小明，您好/);
  assert.match(mail.text, new RegExp(`租户“${tenant.name}”`));
  const { token, lang } = await lastLink(to);
  assert.equal(lang, 'zh-CN', 'the link opens the page in Chinese for a reader who never chose a language');

  // Only the hash is stored; no user until the password is set, so nobody can sign in as them.
  const row = await db.invitation.findUniqueOrThrow({ where: { id: invited.id } });
  assert.equal(row.tokenHash, hashToken(token));
  assert.ok(!JSON.stringify(await db.invitation.findMany()).includes(token));
  assert.equal(await db.user.count({ where: { email: to } }), 0);
  assert.equal((await checkCredentials(to, newPassword, meta())).ok, false);

  const view = await openInvitation(token, meta());
  assert.equal(view.state, 'pending');
  assert.ok(view.state === 'pending' && view.inviter === admin.name && view.tenant === tenant.name && view.role === 'customer-member' && view.email === to);

  const accepted = await accept(token);
  const user = await db.user.findUniqueOrThrow({ where: { id: accepted.userId } });
  assert.deepEqual([user.email, user.name, user.role, user.tenantId, user.locale], [to, '王小明', 'customer-member', tenant.id, 'zh-CN']);
  assert.equal((await checkCredentials(to, newPassword, meta())).ok, true, 'the new password signs in');

  // Once only: the link now says it was used, and accepting again changes nothing.
  assert.equal((await openInvitation(token, meta())).state, 'accepted');
  const again = await refusal(accept(token));
  assert.equal(again.code, 'NOT_FOUND');
  assert.equal(await db.user.count({ where: { email: to } }), 1);
  assert.deepEqual(await listInvitations(admin).then((l) => l.filter((x) => x.email === to)), [], 'an accepted invitation is no longer pending');

  const events = await db.auditEvent.findMany({
    where: { OR: [{ targetId: invited.id }, { targetId: user.id }], action: { not: { startsWith: 'auth.' } } },
    orderBy: { seq: 'asc' },
  });
  assert.deepEqual(
    events.map((e) => [e.action, e.actorLabel]),
    [
      ['invitation.created', admin.email + ' (token)'],
      ['user.created', to],
      ['invitation.accepted', to],
    ],
  );
});

test('the link expires 72 hours after it was sent, and the mail says until when', async () => {
  const sent = new Date('2026-03-01T08:00:00Z');
  const to = email();
  await createInvitation(admin, { email: to, name: 'Eve Expiry', role: 'auditor', locale: 'en' }, { origin: ORIGIN, now: sent });
  const mail = (await readQueuedOwnMail(to)).at(-1)!;
  assert.match(mail.subject, new RegExp(`${admin.name} invited you to Relaydesk`));
  assert.match(mail.text, /until Mar 4, 2026, 8:00\sAM UTC/);
  const { token } = await lastLink(to);
  assert.equal((await openInvitation(token, meta(), new Date(sent.getTime() + 72 * HOUR - 1000))).state, 'pending');
  assert.equal((await openInvitation(token, meta(), new Date(sent.getTime() + 72 * HOUR))).state, 'expired');
  const late = await refusal(accept(token, new Date(sent.getTime() + 72 * HOUR + 1000)));
  assert.equal(late.code, 'NOT_FOUND');
  assert.equal(await db.user.count({ where: { email: to } }), 0);
  const listed = (await listInvitations(admin, new Date(sent.getTime() + 73 * HOUR))).find((x) => x.email === to);
  assert.equal(listed?.state, 'expired', 'an expired invitation stays listed, to resend or revoke');
});

test('resend sends a new link and kills the old one; an expired invitation can be resent', async () => {
  const sent = new Date(Date.now() - 80 * HOUR);
  const to = email();
  const first = await createInvitation(admin, { email: to, name: 'Rex Resend', role: 'tam', locale: 'en' }, { origin: ORIGIN, now: sent });
  const old = await lastLink(to);
  assert.equal((await openInvitation(old.token, meta())).state, 'expired');

  const second = await resendInvitation(admin, first.id, { origin: ORIGIN });
  assert.ok(second.expiresAt.getTime() > Date.now() + 71 * HOUR, 'a fresh 72 hours');
  const fresh = await lastLink(to);
  assert.notEqual(fresh.token, old.token);
  assert.equal((await openInvitation(old.token, meta())).state, 'replaced', 'the old link is dead');
  assert.equal((await refusal(accept(old.token))).code, 'NOT_FOUND');
  assert.equal((await refusal(resendInvitation(admin, first.id, { origin: ORIGIN }))).code, 'NOT_FOUND', 'the replaced row cannot be resent');
  assert.deepEqual(
    (await listInvitations(admin)).filter((x) => x.email === to).map((x) => [x.id, x.state]),
    [[second.id, 'pending']],
  );

  await accept(fresh.token);
  assert.equal((await db.user.findUniqueOrThrow({ where: { email: to } })).role, 'tam');
  const resent = await db.auditEvent.findFirstOrThrow({ where: { action: 'invitation.resent', targetId: second.id } });
  assert.equal(JSON.parse(resent.before!).invitation, first.id);
});

test('revoke ends the link; the address can be invited again', async () => {
  const { tenant } = await makeTenantWithPeople();
  const to = email();
  const invited = await createInvitation(admin, { email: to, name: 'Rita Revoke', role: 'customer-admin', tenant: tenant.slug, locale: 'en' }, { origin: ORIGIN });
  const { token } = await lastLink(to);
  await revokeInvitation(admin, invited.id);
  const view = await openInvitation(token, meta());
  assert.deepEqual(view, { state: 'revoked', inviter: admin.name });
  assert.equal((await refusal(accept(token))).code, 'NOT_FOUND');
  assert.equal((await refusal(revokeInvitation(admin, invited.id))).code, 'NOT_FOUND');
  assert.equal(await db.user.count({ where: { email: to } }), 0);
  assert.ok(await db.auditEvent.findFirst({ where: { action: 'invitation.revoked', targetId: invited.id, tenantId: tenant.id } }));

  await createInvitation(admin, { email: to, name: 'Rita Revoke', role: 'customer-admin', tenant: tenant.slug, locale: 'en' }, { origin: ORIGIN });
  await accept((await lastLink(to)).token);
  assert.equal((await db.user.findUniqueOrThrow({ where: { email: to } })).tenantId, tenant.id);
});

test('a customer admin invites into their own tenant only, as customer admin or member; others’ invitations are not found', async () => {
  const own = await makeTenantWithPeople();
  const other = await makeTenantWithPeople();
  const to = email();
  const mine = await createInvitation(own.admin, { email: to, name: 'Mia Member', role: 'customer-member', locale: 'en' }, { origin: ORIGIN });
  assert.equal((await db.invitation.findUniqueOrThrow({ where: { id: mine.id } })).tenantId, own.tenant.id, 'their tenant is implied');
  await createInvitation(own.admin, { email: email(), name: 'Named', role: 'customer-admin', tenant: own.tenant.slug, locale: 'zh-CN' }, { origin: ORIGIN });

  const count = await db.invitation.count();
  assert.deepEqual(
    await refusal(createInvitation(own.admin, { email: email(), name: 'X', role: 'customer-member', tenant: other.tenant.slug, locale: 'en' }, { origin: ORIGIN })),
    {
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'tenant', message: 'tenantUnknown' }],
    },
  );
  for (const role of ['tam', 'auditor', 'admin']) {
    assert.deepEqual(
      await refusal(createInvitation(own.admin, { email: email(), name: 'X', role, locale: 'en' }, { origin: ORIGIN })),
      { code: 'VALIDATION_FAILED', errors: [{ path: 'role', message: 'choose' }] },
      role,
    );
  }
  assert.equal(await db.invitation.count(), count, 'nothing was invited');

  const theirs = await createInvitation(other.admin, { email: email(), name: 'Theirs', role: 'customer-member', locale: 'en' }, { origin: ORIGIN });
  assert.equal((await refusal(resendInvitation(own.admin, theirs.id, { origin: ORIGIN }))).code, 'NOT_FOUND');
  assert.equal((await refusal(revokeInvitation(own.admin, theirs.id))).code, 'NOT_FOUND');
  const listed = await listInvitations(own.admin);
  assert.ok(listed.length >= 2 && listed.every((x) => x.tenant === own.tenant.slug), 'only their tenant’s invitations');
  assert.ok(
    (await listInvitations(admin)).some((x) => x.id === theirs.id),
    'the admin sees every tenant’s',
  );
  await revokeInvitation(own.admin, mine.id);
});

test('members, TAMs and auditors may not invite, resend or revoke', async () => {
  const { tenant, member, tam } = await makeTenantWithPeople();
  const auditor = await makeUser('auditor');
  const invited = await createInvitation(admin, { email: email(), name: 'Target', role: 'customer-member', tenant: tenant.slug, locale: 'en' }, { origin: ORIGIN });
  for (const user of [member, tam, auditor]) {
    assert.equal(
      (await refusal(createInvitation(user, { email: email(), name: 'X', role: 'customer-member', tenant: tenant.slug, locale: 'en' }, { origin: ORIGIN }))).code,
      'FORBIDDEN',
      user.role,
    );
    assert.equal((await refusal(resendInvitation(user, invited.id, { origin: ORIGIN }))).code, 'FORBIDDEN', user.role);
    assert.equal((await refusal(revokeInvitation(user, invited.id))).code, 'FORBIDDEN', user.role);
    assert.equal((await refusal(listInvitations(user))).code, 'FORBIDDEN', user.role);
  }
});

test('bad input is refused with every field named (problem+json 422), taken addresses with 409 at the email', async () => {
  const { tenant, member } = await makeTenantWithPeople();
  const bad = await refusal(createInvitation(admin, { email: 'not-an-email', name: '  ', role: 'root', locale: 'fr' }, { origin: ORIGIN }));
  assert.equal(bad.code, 'VALIDATION_FAILED');
  assert.deepEqual(bad.errors?.map((e) => e.path).sort(), ['email', 'locale', 'name', 'role']);
  const response = problemFromError(new AppError('VALIDATION_FAILED', 'Invalid input.', { errors: bad.errors }), 'zh-CN');
  assert.equal(response.status, 422);
  const problem = await response.json();
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.ok(
    problem.errors.some((e: { path: string; message: string }) => e.path === 'email' && /电子邮件地址/.test(e.message)),
    'translated, naming the field',
  );

  assert.deepEqual((await refusal(createInvitation(admin, { email: email(), name: 'N', role: 'customer-admin', locale: 'en' }, { origin: ORIGIN }))).errors, [
    { path: 'tenant', message: 'tenantRequired' },
  ]);
  assert.deepEqual((await refusal(createInvitation(admin, { email: email(), name: 'N', role: 'auditor', tenant: tenant.slug, locale: 'en' }, { origin: ORIGIN }))).errors, [
    { path: 'tenant', message: 'tenantNotAllowed' },
  ]);
  assert.deepEqual(
    (await refusal(createInvitation(admin, { email: email(), name: 'N', role: 'customer-admin', tenant: 'no-such-tenant', locale: 'en' }, { origin: ORIGIN }))).errors,
    [{ path: 'tenant', message: 'tenantUnknown' }],
  );
  assert.deepEqual(await refusal(createInvitation(admin, { email: member.email, name: 'N', role: 'auditor', locale: 'en' }, { origin: ORIGIN })), {
    code: 'CONFLICT',
    errors: [{ path: 'email', message: 'taken' }],
  });
  const to = email();
  await createInvitation(admin, { email: to, name: 'N', role: 'auditor', locale: 'en' }, { origin: ORIGIN });
  assert.deepEqual(await refusal(createInvitation(admin, { email: to, name: 'N', role: 'auditor', locale: 'en' }, { origin: ORIGIN })), {
    code: 'CONFLICT',
    errors: [{ path: 'email', message: 'alreadyInvited' }],
  });

  // The set-password form: the same password rule as everywhere, and the confirmation.
  const { token } = await lastLink(to);
  assert.deepEqual((await refusal(acceptInvitation(token, { password: 'short', confirm: 'short' }, meta()))).errors, [{ path: 'password', message: 'passwordTooShort' }]);
  assert.deepEqual((await refusal(acceptInvitation(token, { password: newPassword, confirm: `${newPassword}x` }, meta()))).errors, [
    { path: 'confirm', message: 'passwordsDiffer' },
  ]);
  assert.equal((await openInvitation(token, meta())).state, 'pending', 'a refused form leaves the link usable');
});

test('guessing links is throttled per address, like sign-in; known links that ended are not guesses', async () => {
  const to = email();
  await createInvitation(admin, { email: to, name: 'Tom Throttle', role: 'auditor', locale: 'en' }, { origin: ORIGIN });
  const { token } = await lastLink(to);
  const ip = '203.0.113.66';
  const now = new Date();
  for (let i = 0; i < 10; i++) assert.equal((await openInvitation(`rdi_${'A'.repeat(42)}${i}`, meta(ip), now)).state, 'unknown');
  // The tenth guess starts a wait: even the right link is refused from this address until it is over.
  const held = await openInvitation(token, meta(ip), now);
  assert.equal(held.state, 'throttled');
  assert.equal((await refusal(accept(token, now, ip))).code, 'RATE_LIMITED');
  assert.equal((await openInvitation(token, meta('203.0.113.67'), now)).state, 'pending', 'another address is not held');
  assert.equal((await openInvitation(token, meta(ip), new Date(now.getTime() + 2000))).state, 'pending', 'after the wait the link works');
  // Further guesses double the wait.
  await openInvitation('not-a-token', meta(ip), new Date(now.getTime() + 2000));
  assert.equal((await openInvitation(token, meta(ip), new Date(now.getTime() + 3000))).state, 'throttled');
  assert.equal((await openInvitation(token, meta(ip), new Date(now.getTime() + 4100))).state, 'pending');
  await accept(token, new Date(now.getTime() + 4200), ip);
  assert.equal((await checkCredentials(to, TEST_PASSWORD, meta())).ok, false);
});

test("without Relaydesk's own mail the link comes back to the inviter once, nothing is queued, and it works", async () => {
  const { tenant } = await makeTenantWithPeople();
  const to = email();
  const saved = process.env.RELAYDESK_SMTP_URL;
  delete process.env.RELAYDESK_SMTP_URL;
  try {
    const invited = await createInvitation(admin, { email: to, name: 'No Mail', role: 'customer-member', tenant: tenant.slug, locale: 'en' }, { origin: ORIGIN });
    assert.equal((await readQueuedOwnMail(to)).length, 0, 'no mail is queued when none can be sent');
    const link = /^https:\/\/relaydesk\.test\/invitations\/(rdi_[A-Za-z0-9_-]+)\?lang=en$/.exec(invited.link ?? '');
    assert.ok(link, 'the inviter gets the link to hand over');
    const resent = await resendInvitation(admin, invited.id, { origin: ORIGIN });
    assert.ok(resent.link && resent.link !== invited.link, 'a resend hands over a new link');
    assert.equal((await refusal(accept(link[1]!))).code, 'NOT_FOUND', 'the first link died with the resend');
    await accept(/invitations\/(rdi_[\w-]+)/.exec(resent.link)![1]!);
    assert.equal((await checkCredentials(to, newPassword, meta())).ok, true);
  } finally {
    process.env.RELAYDESK_SMTP_URL = saved;
  }
  // With mail configured again the link is mailed, never returned.
  const mailed = await createInvitation(admin, { email: email(), name: 'Mailed', role: 'customer-member', tenant: tenant.slug, locale: 'en' }, { origin: ORIGIN });
  assert.equal(mailed.link, null);
});
