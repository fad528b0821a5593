// Issue 12, "Done when": a customer admin with a Chinese browser files a Microsoft 365 OAuth request from
// the preset against the demo (npm start points the Microsoft provider at the demo identity provider, and
// the sandbox accepts its tokens over XOAUTH2); the English TAM validates (the token step appears), sends
// a test, applies; a notification posted with a pipeline token arrives in the sandbox. Then the one-click
// switch: a password request refused with 550 5.7.30 (the sandbox's "Basic authentication off") is
// switched to OAuth by the customer from the request page. Uses globex (gina), so acme's specs are untouched.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { expectNoAxeViolations, pageAs, readRequestPage } from './support';

const SANDBOX_PORT = process.env.E2E_SANDBOX_PORT ?? '2626';
const TENANT_ID = '9a3f0c1e-5b7d-4e2a-8c6f-1d0b2e4a6c8e';
const MAILBOX = 'notifications@globex.example';
// The demo identity provider's Microsoft client (server/sandbox/demo-idp.ts): a GUID, as the form requires.
const DEMO_MICROSOFT_CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const sandboxPassword = () => (JSON.parse(readFileSync(path.join('.e2e-data', 'demo-secrets.json'), 'utf8')) as { SANDBOX_PASSWORD: string }).SANDBOX_PASSWORD;

/** As the admin: the sandbox's behaviour for everyone. */
async function setSandboxMode(admin: Page, label: string): Promise<void> {
  await admin.goto('/sandbox');
  const option = admin.getByRole('radio', { name: label, exact: true });
  if (await option.isChecked()) return;
  await option.check();
  await admin.getByRole('button', { name: 'Save behaviour' }).click();
  await expect(admin.getByRole('status').filter({ hasText: `Saved: the sandbox now behaves as “${label}”.` })).toBeVisible();
}

/** As the TAM: validates and waits for the finished run. */
async function validate(tam: Page) {
  await tam.getByRole('button', { name: 'Validate', exact: true }).click();
  const run = tam.getByTestId('probe-run').first();
  await expect(run).toContainText(/passed|failed/, { timeout: 30_000 });
  return run;
}

test('a zh-CN customer files a Microsoft 365 OAuth request from the preset; the TAM validates, tests and applies; a notification arrives', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const gina = await pageAs(browser, 'gina', 'zh-CN');
  await chooseLanguage(gina, 'zh-CN');
  const tam = await pageAs(browser, 'tam');
  let filed = { id: '', number: '' };

  await test.step('gina picks the Microsoft 365 preset: OAuth 2.0 with the Microsoft provider, and the admin steps', async () => {
    await gina.goto('/portal/requests/new');
    await gina.getByRole('button', { name: 'Microsoft 365', exact: true }).click();
    await expect(gina.getByLabel('身份验证方式')).toHaveValue('oauth2');
    await expect(gina.getByLabel('身份提供方')).toHaveValue('microsoft');
    await expect(gina.getByLabel('Microsoft 云环境')).toHaveValue('global');
    await expect(gina.getByLabel('SMTP 服务器地址')).toHaveValue('smtp.office365.com');
    await expect(gina.getByTestId('oauth-fields')).toContainText('SMTP.SendAsApp');
    await expect(gina.getByTestId('oauth-fields')).toContainText('New-ServicePrincipal');
  });

  await test.step('she points it at the demo sandbox and fills in the app registration; the secret is write-only', async () => {
    await gina.getByLabel('SMTP 服务器地址').fill('localhost');
    await gina.getByLabel('端口', { exact: true }).fill(SANDBOX_PORT);
    await gina.getByLabel('用户名').fill(MAILBOX);
    await gina.getByLabel('目录（租户）ID').fill(TENANT_ID);
    await gina.getByLabel('应用程序（客户端）ID').fill(DEMO_MICROSOFT_CLIENT_ID);
    await gina.locator('#oauthClientSecret').fill(sandboxPassword());
    await gina.getByLabel('不回复（no-reply）地址').fill('noreply@acme.example');
    await gina.getByLabel('不回复（no-reply）显示名称').fill('Globex 通知');
    await gina.getByLabel('测试收件人').fill('ops@acme.example');
    await gina.getByRole('button', { name: '提交请求' }).click();
    filed = await readRequestPage(gina);
    await expect(gina.locator('h1 .badge')).toHaveText('已提交');
    const details = gina.locator('dl.details');
    await expect(details).toContainText('身份提供方');
    await expect(details).toContainText(TENANT_ID);
    await expect(gina.locator('main')).not.toContainText(sandboxPassword());
  });

  await test.step('the TAM takes it and validates: the token step comes first and passes, then XOAUTH2', async () => {
    await tam.goto(`/requests/${filed.id}`);
    await tam.getByRole('button', { name: 'Take request' }).click();
    await expect(tam.getByRole('heading', { level: 1 })).toContainText('In review');
    const run = await validate(tam);
    await expect(run).toContainText('passed');
    const steps = run.getByTestId('probe-steps').locator('li');
    await expect(steps.first()).toHaveAttribute('data-step', 'token');
    await expect(steps.first()).toHaveClass(/ok/);
    await expect(run.getByTestId('transcript')).toContainText('AUTH XOAUTH2');
    await expect(run.getByTestId('transcript')).toContainText('client_secret=[redacted]');
    await expect(run.getByTestId('transcript')).not.toContainText(sandboxPassword());
    await expect(tam.getByRole('heading', { level: 1 })).toContainText('Validated');
  });

  await test.step('the TAM sends a test email and applies the configuration', async () => {
    await tam.getByRole('button', { name: 'Send test email' }).click();
    const sent = tam.getByTestId('probe-run').first();
    await expect(sent).toContainText('Test email');
    await expect(sent).toContainText('passed', { timeout: 30_000 });
    await expect(tam.getByRole('heading', { level: 1 })).toContainText('Tested');
    tam.once('dialog', (dialog) => void dialog.accept());
    await tam.getByRole('button', { name: 'Apply configuration' }).click();
    await expect(tam.getByRole('status').filter({ hasText: /Applied as version \d+/ })).toBeVisible();
  });

  let token = '';
  await test.step('the TAM creates a pipeline token for globex', async () => {
    await tam.goto('/tenants/globex');
    await tam.getByRole('button', { name: 'Create pipeline token' }).click();
    token = ((await tam.getByTestId('new-pipeline-token').textContent()) ?? '').trim();
    expect(token).toMatch(/^rdp_/);
  });

  await test.step('a notification posted with the token is delivered over XOAUTH2 into the sandbox', async () => {
    const subject = `Globex OAuth notification (${Date.now()})`;
    const response = await request.post('/api/v1/tenants/globex/notifications', {
      headers: { Authorization: `Bearer ${token}` },
      data: { to: ['someone@globex.example'], subject, text: 'Sent with an access token.', kind: 'mention' },
    });
    expect(response.status(), await response.text()).toBe(202);
    const row = tam.locator('tbody tr').filter({ has: tam.getByRole('link', { name: subject, exact: true }) });
    await expect(async () => {
      await tam.goto('/sandbox');
      await expect(row).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 45_000, intervals: [500, 1_000] });
    await expect(row.locator('td').nth(2)).toHaveText('Globex 通知 <noreply@acme.example>');
    await expect(row.locator('td').nth(1)).toContainText('→ someone@globex.example');
    await tam.goto('/tenants/globex');
    await expect(tam.locator('tbody tr').filter({ hasText: subject })).toContainText('delivered');
  });

  await chooseLanguage(gina, 'en');
  await gina.context().close();
  await tam.context().close();
});

test('Basic authentication off (550 5.7.30): the customer switches the request to OAuth in one click', async ({ browser }) => {
  test.setTimeout(120_000);
  const gina = await pageAs(browser, 'gina', 'zh-CN');
  await chooseLanguage(gina, 'zh-CN');
  const tam = await pageAs(browser, 'tam');
  const admin = await pageAs(browser, 'admin');
  let filed = { id: '', number: '' };
  try {
    await test.step('gina files a password request for the sandbox, which answers AUTH like Exchange Online with Basic off', async () => {
      await setSandboxMode(admin, 'Basic authentication off');
      await gina.goto('/portal/requests/new');
      await gina.getByLabel('SMTP 服务器地址').fill('localhost');
      await gina.getByLabel('端口', { exact: true }).fill(SANDBOX_PORT);
      await gina.getByLabel('身份验证方式').selectOption('plain');
      await gina.getByLabel('用户名').fill(MAILBOX);
      await gina.getByLabel('密码', { exact: true }).fill(sandboxPassword());
      await gina.getByLabel('不回复（no-reply）地址').fill('noreply@acme.example');
      await gina.getByLabel('测试收件人').fill('ops@acme.example');
      await gina.getByRole('button', { name: '提交请求' }).click();
      filed = await readRequestPage(gina);
      await expect(gina.getByTestId('oauth-switch')).toHaveCount(0);
    });

    await test.step('the TAM validates: AUTH is refused with 550 5.7.30 and the diagnosis says to switch to OAuth; he sends it back', async () => {
      await tam.goto(`/requests/${filed.id}`);
      await tam.getByRole('button', { name: 'Take request' }).click();
      const run = await validate(tam);
      await expect(run).toContainText('failed');
      await expect(run.locator('li[data-step="auth"]')).toContainText('550 5.7.30');
      await expect(run.locator('li[data-step="auth"]')).toContainText('Basic authentication is off for this tenant: switch to OAuth.');
      await tam.getByRole('button', { name: 'Ask for information' }).click();
      await tam.getByLabel('What should the customer know?').fill('Microsoft 365 refuses the password: please use the OAuth button.');
      await tam.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(tam.locator('h1 .badge')).toHaveText('Needs information');
    });

    await test.step('gina sees why and switches in one click: the form is pre-set to Microsoft 365 OAuth with the fields to fill highlighted', async () => {
      await gina.goto(`/requests/${filed.id}`);
      const offer = gina.getByTestId('oauth-switch');
      await expect(offer).toContainText('Microsoft 365 在此已不再接受密码。');
      await expect(offer).toContainText('550 5.7.30');
      await expectNoAxeViolations(gina, 'request page offering the switch to OAuth');
      await offer.getByRole('link', { name: '改用 OAuth 2.0' }).click();
      await expect(gina).toHaveURL(new RegExp(`/requests/${filed.id}/edit\\?switch=oauth$`));
      await expect(gina.getByTestId('oauth-switch-intro')).toBeVisible();
      await expect(gina.getByLabel('身份验证方式')).toHaveValue('oauth2');
      await expect(gina.getByLabel('身份提供方')).toHaveValue('microsoft');
      await expect(gina.getByLabel('Microsoft 云环境')).toHaveValue('global');
      await expect(gina.getByLabel('用户名')).toHaveValue(MAILBOX);
      for (const id of ['oauthTenantId', 'oauthClientId', 'oauthClientSecret']) await expect(gina.locator(`.field.highlight:has(#${id})`)).toBeVisible();
      await expectNoAxeViolations(gina, 'edit form pre-set to OAuth');
      await gina.getByLabel('目录（租户）ID').fill(TENANT_ID);
      await gina.getByLabel('应用程序（客户端）ID').fill(DEMO_MICROSOFT_CLIENT_ID);
      await gina.locator('#oauthClientSecret').fill(sandboxPassword());
      await gina.getByRole('button', { name: '保存并重新提交' }).click();
      await expect(gina).toHaveURL(new RegExp(`/requests/${filed.id}\\?done=saved$`));
      await expect(gina.locator('dl.details')).toContainText('身份提供方');
      await expect(gina.getByTestId('oauth-switch')).toHaveCount(0);
    });

    await test.step('the TAM validates again: the token step and XOAUTH2 pass while passwords are still refused', async () => {
      await tam.goto(`/requests/${filed.id}`);
      const run = await validate(tam);
      await expect(run).toContainText('passed');
      await expect(run.locator('li[data-step="token"]')).toHaveClass(/ok/);
    });
  } finally {
    await setSandboxMode(admin, 'Normal');
    await chooseLanguage(gina, 'en');
    for (const page of [gina, tam, admin]) await page.context().close();
  }
});

/** A saved language wins over the browser's (the console spec saves Gina's when it switches back): choose it, and restore English after. */
async function chooseLanguage(page: Page, lang: 'en' | 'zh-CN') {
  if ((await page.locator('html').getAttribute('lang')) === lang) return;
  await page
    .getByRole('combobox', { name: /^(Language|语言)$/ })
    .first()
    .selectOption(lang);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}
