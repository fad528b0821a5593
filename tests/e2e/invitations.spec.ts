// Issue 14, "Done when": an invited member sets a password from the emailed link and lands signed in. The
// admin and a customer admin invite, resend and revoke from their pages (390 px wide too); ended and
// unknown links say so in both languages.
import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations, invitationLinkFromMail, pageAs, readSandboxMail } from './support';

async function invite(page: Page, fields: { email: string; name: string; role: string; tenant?: string; language?: string }) {
  const panel = page.getByRole('region', { name: 'Invitations' });
  await panel.getByLabel('Email', { exact: true }).fill(fields.email);
  await panel.getByLabel('Name', { exact: true }).fill(fields.name);
  await panel.getByLabel('Role', { exact: true }).selectOption({ label: fields.role });
  if (fields.tenant) await panel.getByLabel('Tenant', { exact: true }).selectOption({ label: fields.tenant });
  if (fields.language) await panel.getByLabel('Language of the invitation').selectOption({ label: fields.language });
  await panel.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${fields.email}.` })).toBeVisible();
  return panel;
}

test('the admin invites a member; the member opens the link, sets a password and lands signed in', async ({ browser }) => {
  const admin = await pageAs(browser, 'admin');
  const email = `invited-${Date.now()}@example.test`;
  const panel = admin.getByRole('region', { name: 'Invitations' });
  // Bad input is named at the field, in the form.
  await panel.getByRole('button', { name: 'Send invitation' }).click();
  await expect(panel.getByText('Enter an email address such as noreply@example.com.')).toBeVisible();
  await expect(panel.getByLabel('Email', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  await invite(admin, { email, name: 'Ivy Invited', role: 'Customer member', tenant: 'Acme Corporation' });
  const row = panel.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('pending');
  await expect(row).toContainText('Ada Admin');
  await expect(row).toContainText(/in (2|3) days/);

  // The link from the mail, as it reached the demo sandbox (read on the admin's inbox page); English, the default.
  const mailbox = await pageAs(browser, 'admin');
  const mail = await readSandboxMail(mailbox, email, 'Ada Admin invited you to Relaydesk');
  expect(mail.text).toContain('Hello Ivy Invited,');
  expect(mail.text).toContain('invited you to Relaydesk as Customer member of Acme Corporation');
  const link = await invitationLinkFromMail(mailbox, email);
  const invitee = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { level: 1, name: 'Invitation to Relaydesk' })).toBeVisible();
  await expect(invitee.getByText(`Ada Admin invited you, Ivy Invited (${email}), to Relaydesk as Customer member of Acme Corporation.`)).toBeVisible();
  await expectNoAxeViolations(invitee, 'the invitation page');
  await invitee.getByLabel('Password (at least 10 characters)').fill('too-short');
  await invitee.getByLabel('Password again').fill('too-short');
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(invitee.getByText('Use at least 10 characters.')).toBeVisible();
  await invitee.getByLabel('Password (at least 10 characters)').fill('ivy-chose-this-one');
  await invitee.getByLabel('Password again').fill('ivy-chose-this-one');
  await invitee.getByLabel('Password again').press('Enter');
  await invitee.waitForURL((url) => url.pathname === '/portal');
  await expect(invitee.locator('.who')).toContainText('Ivy Invited');

  // The link worked once; the invitation left the pending list.
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { level: 1, name: 'This invitation was already used' })).toBeVisible();
  await admin.reload();
  await expect(admin.getByRole('region', { name: 'Invitations' }).getByRole('row').filter({ hasText: email })).toHaveCount(0);
  for (const page of [admin, mailbox, invitee]) await page.context().close();
});

test('a customer admin at 390 px invites into their tenant, resends and revokes; the old and revoked links say so in both languages', async ({ browser }) => {
  const alice = await pageAs(browser, 'alice');
  await alice.setViewportSize({ width: 390, height: 844 });
  const email = `colleague-${Date.now()}@example.test`;
  const panel = await invite(alice, { email, name: '李同事', role: 'Customer member', language: '简体中文' });
  await expect(panel.getByLabel('Role', { exact: true }).locator('option')).toHaveText(['Choose a role…', 'Customer admin', 'Customer member']);
  await expect(panel.getByLabel('Tenant', { exact: true })).toHaveCount(0);
  // The links come by mail; the demo sandbox shows it, in the invitation's language, to the admin.
  const mailbox = await pageAs(browser, 'admin');
  const first = await readSandboxMail(mailbox, email, '邀请您加入 Relaydesk');
  expect(first.subject).toBe('Alice Admin邀请您加入 Relaydesk');
  expect(first.text).toContain('李同事，您好：');
  const oldLink = await invitationLinkFromMail(mailbox, email);

  // Keyboard: Resend asks first, focus on the confirmation, Enter confirms.
  await panel.getByRole('button', { name: `Resend the invitation to ${email}` }).click();
  await expect(alice.getByRole('group', { name: `Send ${email} a new link, valid for 72 hours? The previous link stops working.` })).toBeVisible();
  await alice.keyboard.press('Enter');
  await expect(alice.getByRole('status').filter({ hasText: `A new invitation was sent to ${email}; the previous link no longer works.` })).toBeVisible();
  // The resent mail is the newest of two, with a different link.
  const newLink = await invitationLinkFromMail(mailbox, email, 2);
  expect(newLink).not.toBe(oldLink);

  await panel.getByRole('button', { name: `Revoke the invitation of ${email}` }).click();
  await alice.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(alice.getByRole('status').filter({ hasText: `The invitation of ${email} is revoked.` })).toBeVisible();
  await expect(panel.getByRole('row').filter({ hasText: email })).toHaveCount(0);
  const overflow = await alice.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  const zh = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await zh.goto(newLink);
  await expect(zh.getByRole('heading', { level: 1, name: '此邀请已被吊销' })).toBeVisible();
  await zh.goto(oldLink);
  await expect(zh.getByRole('heading', { level: 1, name: '已发送更新的邀请' })).toBeVisible();
  await zh.goto(`/invitations/rdi_${'x'.repeat(43)}`);
  await expect(zh.getByRole('heading', { level: 1, name: '此邀请链接无效' })).toBeVisible();
  // The link carries the invitation's language (zh-CN); a reader who chose English keeps English.
  expect(newLink).toMatch(/\?lang=zh-CN$/);
  const en = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await en.context().addCookies([{ name: 'relaydesk_locale', value: 'en', url: test.info().project.use.baseURL! }]);
  await en.goto(newLink);
  await expect(en.getByRole('heading', { level: 1, name: 'This invitation was withdrawn' })).toBeVisible();
  await expect(en.getByText('Alice Admin withdrew this invitation.')).toBeVisible();
  for (const page of [alice, mailbox, zh, en]) await page.context().close();
});
