// Sessions, tenant isolation on pages, what a member may not do, and the remembered language.
// (Each role's sign-in and home page is checked by auth.setup.ts.)
import { test, expect, type Page } from '@playwright/test';
import { ACCOUNTS, DEMO_PASSWORD, fileRequest, invitationLinkFromMail, pageAs, signInWith } from './support';

test('a wrong password is refused with a message and no session', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email', { exact: true }).fill(ACCOUNTS.mike.email);
  await page.getByLabel('Password', { exact: true }).fill(`${DEMO_PASSWORD}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The email or password is not right.' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(ACCOUNTS.mike.email);
  await page.goto('/portal');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('signing out ends the session: /portal then sends to sign-in, and a copy of the cookie is refused', async ({ browser }) => {
  // A fresh sign-in, not alice's saved session: signing out ends the session on the server, and the other
  // tests still use the saved one.
  const page = await signInWith(browser, ACCOUNTS.alice.email, DEMO_PASSWORD);
  await page.waitForURL((url) => url.pathname === ACCOUNTS.alice.home);
  const saved = await page.context().cookies();
  const cookieHeader = saved.map((c) => `${c.name}=${c.value}`).join('; ');
  expect((await page.request.get('/api/v1/smtp-requests', { headers: { cookie: cookieHeader } })).status()).toBe(200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in\?signedOut=1$/);
  await expect(page.getByRole('status')).toHaveText('You are signed out.');
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await page.goto('/portal');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Relaydesk' })).toBeVisible();

  // The cookie saved before sign-out, put back: still signed out, and the API answers 401.
  await page.context().addCookies(saved);
  await page.goto('/portal');
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await page.request.get('/api/v1/smtp-requests', { headers: { cookie: cookieHeader } })).status()).toBe(401);
  await page.context().close();
});

test('pages and API answers carry the security headers, and a page with its nonce still hydrates', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(message.text())) violations.push(message.text());
  });
  const pageResponse = await page.goto('/sign-in');
  const headers = pageResponse!.headers();
  expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  const api = await page.request.get('/api/health');
  expect(api.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
  expect(api.headers()['referrer-policy']).toBe('same-origin');
  const https = await page.request.get('/api/health', { headers: { 'x-forwarded-proto': 'https' } });
  expect(https.headers()['strict-transport-security']).toMatch(/max-age=\d+/);
  // Next.js's inline scripts ran (they carry the nonce), and nothing was refused by the policy.
  expect(await page.evaluate(() => Array.isArray((window as unknown as { __next_f?: unknown }).__next_f))).toBe(true);
  expect(violations).toEqual([]);
});

test("another tenant's request is not found; a member reads but cannot file or edit", async ({ browser }) => {
  const alice = await pageAs(browser, 'alice');
  const request = await fileRequest(alice);
  await alice.context().close();

  const gina = await pageAs(browser, 'gina', 'zh-CN');
  for (const path of [`/requests/${request.id}`, `/requests/${request.id}/edit`]) {
    expect((await gina.goto(path))?.status()).toBe(404);
    await expect(gina.getByRole('heading', { level: 1, name: '未找到' })).toBeVisible();
    await expect(gina.getByText('此页面不存在，或您无权访问。')).toBeVisible();
    await expect(gina.getByText(request.number)).toHaveCount(0);
    await expect(gina.getByText('smtp.acme.example')).toHaveCount(0);
  }
  await gina.goto('/portal');
  await expect(gina.getByRole('link', { name: request.number })).toHaveCount(0);
  await gina.context().close();

  const mike = await pageAs(browser, 'mike');
  await expect(mike.getByRole('link', { name: request.number })).toBeVisible();
  await expect(mike.getByRole('link', { name: 'New request' })).toHaveCount(0);
  expect((await mike.goto('/portal/requests/new'))?.status()).toBe(404);
  await mike.goto(`/requests/${request.id}`);
  await expect(mike.getByRole('heading', { level: 1 })).toContainText(request.number);
  await expect(mike.getByRole('link', { name: 'Edit', exact: true })).toHaveCount(0);
  await expect(mike.getByRole('button', { name: 'Withdraw request' })).toHaveCount(0);
  expect((await mike.goto(`/requests/${request.id}/edit`))?.status()).toBe(404);
  await mike.context().close();
});

test('the language choice is saved for the user and wins over the browser language', async ({ browser }) => {
  const page = await pageAs(browser, 'mike');
  await expect(page.getByRole('heading', { level: 1, name: 'SMTP configuration requests' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByRole('heading', { level: 1, name: 'SMTP 配置请求' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.context().close();

  // Another browser (no language cookie, English Accept-Language): the saved choice still applies.
  const again = await pageAs(browser, 'mike', 'en-US');
  await expect(again.getByRole('heading', { level: 1, name: 'SMTP 配置请求' })).toBeVisible();
  await again.getByRole('combobox', { name: '语言' }).selectOption('en');
  await expect(again.getByRole('heading', { level: 1, name: 'SMTP configuration requests' })).toBeVisible();
  await again.context().close();
});

/** On the admin page: invites an auditor, who sets `password` from the link; then shows only them in the users list (it pages by email). */
async function createAuditor(admin: Page, email: string, name: string, password: string) {
  const form = admin.getByRole('region', { name: 'Invitations' });
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Role', { exact: true }).selectOption('auditor');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await expect(admin.getByRole('status').filter({ hasText: `Invitation sent to ${email}.` })).toBeVisible();
  // The link from the mail in the demo sandbox, read by the admin in another tab.
  const mailbox = await admin.context().newPage();
  const link = await invitationLinkFromMail(mailbox, email);
  await mailbox.close();
  const invitee = await (await admin.context().browser()!.newContext({ locale: 'en-US' })).newPage();
  await invitee.goto(link);
  await invitee.getByLabel('Password (at least 10 characters)').fill(password);
  await invitee.getByLabel('Password again').fill(password);
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await invitee.waitForURL((url) => url.pathname === '/audit');
  await invitee.context().close();
  await admin.getByLabel('Email contains').fill(email);
  await admin.getByRole('button', { name: 'Filter' }).click();
  await expect(admin.getByRole('region', { name: 'Users' }).locator('tbody tr')).toHaveCount(1);
}

test('the admin creates an auditor, makes them a TAM, resets their password, then disables them; never their own role or account', async ({ browser }) => {
  const admin = await pageAs(browser, 'admin');
  const email = `role-${Date.now()}@example.test`;
  await createAuditor(admin, email, 'Rolf Role', 'a-long-enough-password');
  const role = admin.getByRole('combobox', { name: `Role of ${email}` });
  await expect(role).toHaveValue('auditor');
  // Staff roles only: an auditor cannot become a customer.
  await expect(role.locator('option')).toHaveText(['Technical account manager', 'Auditor', 'Administrator']);
  // Choosing in the list changes nothing until confirmed (a keyboard user arrows through it).
  await role.focus();
  await admin.keyboard.press('ArrowUp');
  await admin.reload();
  await expect(admin.getByRole('combobox', { name: `Role of ${email}` })).toHaveValue('auditor');
  await role.selectOption('tam');
  await admin.getByRole('button', { name: `Change the role of ${email}` }).click();
  await expect(admin.getByRole('group', { name: `Change ${email} from Auditor to Technical account manager?` })).toBeVisible();
  await admin.getByRole('button', { name: 'Change role', exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: `${email} is now Technical account manager.` })).toBeVisible();
  await admin.reload();
  await expect(admin.getByRole('combobox', { name: `Role of ${email}` })).toHaveValue('tam');
  await admin.goto(`/admin?q=${encodeURIComponent(ACCOUNTS.admin.email)}`);
  await expect(admin.getByRole('row').filter({ hasText: ACCOUNTS.admin.email })).toBeVisible();
  await expect(admin.getByRole('combobox', { name: `Role of ${ACCOUNTS.admin.email}` })).toHaveCount(0);
  await admin.goto(`/admin?q=${encodeURIComponent(email)}`);

  const signIn = (password: string) => signInWith(browser, email, password);

  // A forgotten password: reset after a confirmation, the new one shown once signs in, the old one does not.
  admin.once('dialog', (dialog) => void dialog.accept());
  await admin.getByRole('button', { name: `Reset the password of ${email}` }).click();
  const password = (await admin.getByTestId('new-password').textContent()) ?? '';
  expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
  const withNew = await signIn(password);
  await expect(withNew).toHaveURL(/\/console$/);
  const withOld = await signIn('a-long-enough-password');
  await expect(withOld.getByRole('alert').filter({ hasText: 'The email or password is not right.' })).toBeVisible();

  // Offboarding: disabled after a confirmation, the open session ends and sign-in is refused; the admin
  // cannot disable themselves.
  admin.once('dialog', (dialog) => void dialog.accept());
  await admin.getByRole('button', { name: `Disable ${email}` }).click();
  await expect(admin.getByRole('button', { name: `Enable ${email}` })).toBeVisible();
  await expect(admin.getByRole('row').filter({ hasText: email })).toContainText('disabled');
  await expect(admin.getByRole('button', { name: `Disable ${ACCOUNTS.admin.email}` })).toHaveCount(0);
  await withNew.goto('/console');
  await expect(withNew).toHaveURL(/\/sign-in$/);
  const disabled = await signIn(password);
  await expect(disabled.getByRole('alert').filter({ hasText: 'The email or password is not right.' })).toBeVisible();
  for (const page of [withNew, withOld, disabled, admin]) await page.context().close();
});

test('a user changes their password: this browser stays signed in, another session ends, the new password signs in', async ({ browser }) => {
  const admin = await pageAs(browser, 'admin');
  const email = `pw-${Date.now()}@example.test`;
  const initial = 'initial-password-1';
  const changed = 'changed-password-2';
  await createAuditor(admin, email, 'Pat Password', initial);
  await expect(admin.getByRole('combobox', { name: `Role of ${email}` })).toBeVisible();
  await admin.context().close();

  const signIn = (password: string) => signInWith(browser, email, password);
  const here = await signIn(initial);
  await expect(here).toHaveURL(/\/audit$/);
  const elsewhere = await signIn(initial);
  await expect(elsewhere).toHaveURL(/\/audit$/);

  await here.goto('/profile');
  await here.getByLabel('Current password').fill('not-the-password');
  await here.getByLabel('New password (at least 10 characters)').fill(changed);
  await here.getByLabel('New password again').fill(changed);
  await here.getByRole('button', { name: 'Change password' }).click();
  await expect(here.getByText('This is not your current password.')).toBeVisible();
  await expect(here.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');

  await here.getByLabel('Current password').fill(initial);
  await here.getByRole('button', { name: 'Change password' }).click();
  await expect(here.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
  await here.goto('/audit');
  await expect(here).toHaveURL(/\/audit$/);

  await elsewhere.goto('/audit');
  await expect(elsewhere).toHaveURL(/\/sign-in$/);
  const old = await signIn(initial);
  await expect(old.getByRole('alert').filter({ hasText: 'The email or password is not right.' })).toBeVisible();
  const fresh = await signIn(changed);
  await expect(fresh).toHaveURL(/\/audit$/);
  for (const page of [here, elsewhere, old, fresh]) await page.context().close();
});
