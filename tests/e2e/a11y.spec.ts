// axe (WCAG 2 A and AA) on every page, in the states a user meets: empty and filled lists, forms showing
// their errors, the TAM's open reason form, and Chinese where the text differs in length and script.
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, fileRequest, pageAs } from './support';

let request = { id: '', number: '' };

test.beforeAll(async ({ browser }) => {
  const page = await pageAs(browser, 'alice');
  request = await fileRequest(page, { port: '465' });
  await page.context().close();
});

test('sign-in page, in English and, with an error, in Chinese', async ({ browser }) => {
  const page = await pageAs(browser, null);
  await page.goto('/sign-in');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expectNoAxeViolations(page, 'sign-in');
  await page.context().close();

  const zh = await pageAs(browser, null, 'zh-CN');
  await zh.goto('/sign-in');
  await expect(zh.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await zh.getByLabel('电子邮件').fill('nobody@nowhere.example');
  await zh.getByLabel('密码').fill('not the password');
  await zh.getByRole('button', { name: '登录' }).click();
  await expect(zh.getByRole('alert').filter({ hasText: '电子邮件或密码不正确。' })).toBeVisible();
  await expectNoAxeViolations(zh, 'sign-in (zh-CN, with an error)');
  await zh.context().close();
});

test('portal: an empty list and a list with requests', async ({ browser }) => {
  const gina = await pageAs(browser, 'gina');
  // The request list's empty state (the invitations panel below has its own).
  await expect(gina.locator('.empty-state').filter({ hasText: 'File your first request' })).toHaveText(
    'File your first request: your TAM validates it against your server and applies it.',
  );
  await expectNoAxeViolations(gina, 'portal (empty)');
  await gina.context().close();

  const alice = await pageAs(browser, 'alice');
  await expect(alice.getByRole('link', { name: request.number })).toBeVisible();
  await expectNoAxeViolations(alice, 'portal (with requests)');
  await alice.context().close();
});

test('new request form with errors, a provider caveat and the port warning, in both languages', async ({ browser }) => {
  const page = await pageAs(browser, 'alice');
  await page.goto('/portal/requests/new');
  await page.getByRole('button', { name: 'Microsoft 365' }).click();
  await expect(page.getByRole('button', { name: 'Microsoft 365' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText(/SMTP AUTH is disabled by default/)).toBeVisible();
  await page.getByLabel('Port', { exact: true }).fill('465');
  await expect(page.getByTestId('port-warning')).toBeVisible();
  await page.getByLabel('Support contact').fill('ftp://support.acme.example');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.locator('#supportContact-error')).toHaveText('Enter an email address or a link starting with http:// or https://.');
  await expectNoAxeViolations(page, 'new request (errors, caveat, warning)');
  await page.context().close();

  const zh = await pageAs(browser, 'alice', 'zh-CN');
  await zh.goto('/portal/requests/new');
  await zh.getByRole('button', { name: '提交请求' }).click();
  await expect(zh.locator('#noReplyAddress-error')).toHaveText('此字段为必填项。');
  await expectNoAxeViolations(zh, 'new request (zh-CN, errors)');
  await zh.context().close();
});

test('request page as the customer, the edit page, and the TAM view with the reason form open', async ({ browser }) => {
  const alice = await pageAs(browser, 'alice');
  await alice.goto(`/requests/${request.id}`);
  await expect(alice.locator('.alert.warning')).toBeVisible();
  await alice.getByLabel('Add a comment').fill('Any questions, ask here.');
  await alice.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(alice.locator('ol.comments')).toContainText('Any questions, ask here.');
  await expectNoAxeViolations(alice, 'request (customer)');

  await alice.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(alice).toHaveURL(/\/edit$/);
  await alice.getByLabel('SMTP server address').fill('smtp2.acme.example');
  await expect(alice.getByText('You changed the server, port, encryption or username: type the password again.')).toBeVisible();
  await alice.getByRole('button', { name: 'Save and resubmit' }).click();
  await expect(alice.locator('#password-error')).toHaveText('The server, port, encryption or username changed: type the password again.');
  await expect(alice.locator('.field-error')).toHaveCount(1);
  await expectNoAxeViolations(alice, 'edit request (password must be typed again)');
  await alice.context().close();

  const tam = await pageAs(browser, 'tam');
  await tam.goto(`/requests/${request.id}`);
  await tam.getByLabel('Internal (TAM only)').check();
  await tam.getByLabel('Add a comment').fill('Internal: check their SPF first.');
  await tam.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(tam.locator('ol.comments li.internal')).toContainText('Internal: check their SPF first.');
  await tam.getByRole('button', { name: 'Reject' }).click();
  await tam.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(tam.locator('#reason-error')).toHaveText('Say why.');
  await expectNoAxeViolations(tam, 'request (TAM, internal comment, reason form with an error)');
  await tam.context().close();
});

test('console, audit trail, administration and profile', async ({ browser }) => {
  const tam = await pageAs(browser, 'tam');
  await expect(tam.getByRole('link', { name: request.number })).toBeVisible();
  await expectNoAxeViolations(tam, 'console');
  await tam.context().close();

  const auditor = await pageAs(browser, 'auditor');
  await expect(auditor.getByRole('table')).toBeVisible();
  await expectNoAxeViolations(auditor, 'audit trail');
  await auditor.context().close();

  const admin = await pageAs(browser, 'admin');
  await expect(admin.getByRole('heading', { level: 2, name: 'Tenants' })).toBeVisible();
  await expectNoAxeViolations(admin, 'administration');
  await admin.context().close();

  const alice = await pageAs(browser, 'alice');
  await alice.goto('/profile');
  await alice.getByLabel('Token name').fill('a11y');
  await alice.getByRole('button', { name: 'Create token' }).click();
  await expect(alice.getByTestId('new-token')).toBeVisible();
  await expectNoAxeViolations(alice, 'profile (new token shown)');
  await alice.context().close();
});

test('the not-found page', async ({ browser }) => {
  const page = await pageAs(browser, null);
  expect((await page.goto('/no-such-page'))?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  await expectNoAxeViolations(page, 'not found');
  await page.context().close();
});
