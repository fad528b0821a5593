// Shared steps of the browser tests: demo accounts, sign-in, the request form, axe and README screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'relaydesk-demo';

export const ACCOUNTS = {
  alice: { email: 'alice@acme.example', name: 'Alice Admin', home: '/portal' },
  mike: { email: 'mike@acme.example', name: 'Mike Member', home: '/portal' },
  gina: { email: 'gina@globex.example', name: 'Gina Admin', home: '/portal' },
  tam: { email: 'tam@relaydesk.example', name: 'Taylor TAM', home: '/console' },
  auditor: { email: 'auditor@relaydesk.example', name: 'Audrey Auditor', home: '/audit' },
  admin: { email: 'admin@relaydesk.example', name: 'Ada Admin', home: '/admin' },
} as const;

export type Account = keyof typeof ACCOUNTS;
type Lang = 'en' | 'zh-CN';

const SIGN_IN_TEXT: Record<Lang, { email: string; password: string; submit: string }> = {
  en: { email: 'Email', password: 'Password', submit: 'Sign in' },
  'zh-CN': { email: '电子邮件', password: '密码', submit: '登录' },
};

/** Signs in through the form and waits for the role's home page. */
export async function signIn(page: Page, account: Account, lang: Lang = 'en'): Promise<void> {
  const text = SIGN_IN_TEXT[lang];
  await page.goto('/sign-in');
  await page.getByLabel(text.email, { exact: true }).fill(ACCOUNTS[account].email);
  await page.getByLabel(text.password, { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: text.submit, exact: true }).click();
  await page.waitForURL((url) => url.pathname === ACCOUNTS[account].home);
}

/** Where auth.setup.ts keeps each account's signed-in session (inside the data folder each run starts fresh). */
export function storageStateOf(account: Account): string {
  return path.join('.e2e-data', 'auth', `${account}.json`);
}

/** A new browser context (its own cookies) already signed in as `account`, or signed out with null. */
export async function pageAs(browser: Browser, account: Account | null, locale: 'en-US' | 'zh-CN' = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ locale, ...(account ? { storageState: storageStateOf(account) } : {}) });
  const page = await context.newPage();
  if (account) {
    await page.goto(ACCOUNTS[account].home);
    await expect(page.locator('.who')).toContainText(ACCOUNTS[account].name);
  }
  return page;
}

/** A new browser context where `email` has just submitted the sign-in form with `password` (right or wrong). */
export async function signInWith(browser: Browser, email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/** A request that passes validation; `overrides` replace single fields. */
export const VALID_REQUEST = {
  host: 'smtp.acme.example',
  port: '587',
  username: 'relay@acme.example',
  password: 'correct horse battery staple',
  noReplyAddress: 'noreply@acme.example',
  testRecipient: 'it-ops@acme.example',
};

/** Optional fields of the form: the selects (option values) and the no-reply display name. */
type OptionalFields = { encryption?: 'none' | 'starttls' | 'tls'; authMethod?: 'auto' | 'plain' | 'login' | 'cram-md5' | 'none'; noReplyName?: string };

/** Files a request on the English form as the signed-in customer admin; returns its id and number. */
export async function fileRequest(page: Page, overrides: Partial<typeof VALID_REQUEST> & OptionalFields = {}): Promise<{ id: string; number: string }> {
  const v = { ...VALID_REQUEST, ...overrides };
  await page.goto('/portal/requests/new');
  await page.getByLabel('SMTP server address').fill(v.host);
  await page.getByLabel('Port', { exact: true }).fill(v.port);
  if (v.encryption) await page.getByLabel('Encryption').selectOption(v.encryption);
  if (v.authMethod) await page.getByLabel('Authentication').selectOption(v.authMethod);
  if (v.noReplyName !== undefined) await page.getByLabel('No-reply display name').fill(v.noReplyName);
  await page.getByLabel('Username').fill(v.username);
  await page.getByLabel('Password', { exact: true }).fill(v.password);
  await page.getByLabel('No-reply address').fill(v.noReplyAddress);
  await page.getByLabel('Test recipient').fill(v.testRecipient);
  await page.getByRole('button', { name: 'Submit request' }).click();
  return readRequestPage(page);
}

/** Waits for a request page and reads its id (from the URL) and number (from the heading). */
export async function readRequestPage(page: Page): Promise<{ id: string; number: string }> {
  await page.waitForURL(/\/requests\/[^/]+$/);
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toContainText(/SMTP-\d+/);
  const number = /SMTP-\d+/.exec((await heading.textContent()) ?? '')?.[0] ?? '';
  const id = new URL(page.url()).pathname.split('/').pop() ?? '';
  return { id, number };
}

/**
 * Runs axe with the WCAG 2 A and AA rules, and checks ids are unique (axe no longer does: a duplicated id
 * silently takes the label away from the second field); fails listing each problem with its elements.
 */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  // After a server action Next swaps the page's metadata in a moment later than the body: wait for the
  // title (a page that never gets one still fails here), so axe reads the settled page.
  await expect(page, `${what} has a title`).toHaveTitle(/\S/);
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const report = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}  ${n.failureSummary?.split('\n').join(' ') ?? ''}`).join('\n')}`,
  );
  const duplicateIds = await page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    return [...seen].filter(([, count]) => count > 1).map(([id, count]) => `duplicate id "${id}" (${count} elements)`);
  });
  expect([...report, ...duplicateIds], `accessibility problems on ${what}`).toEqual([]);
}

/** README screenshots, written only with SCREENSHOTS=1 so that ordinary runs leave the tree clean. */
export async function screenshotForReadme(page: Page, name: string, fullPage = false, viewport = { width: 1280, height: 800 }): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = path.join('docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.setViewportSize(viewport);
  // Let fonts settle so the PNG does not catch a fallback face.
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  await page.screenshot({ path: path.join(dir, name), fullPage, animations: 'disabled', caret: 'hide' });
}

/** The demo SMTP sandbox this run's server listens on (its password is written at server start). */
export function sandboxRequest(noReplyName: string): Partial<typeof VALID_REQUEST> & OptionalFields {
  const secrets = JSON.parse(readFileSync(path.join('.e2e-data', 'demo-secrets.json'), 'utf8')) as { SANDBOX_PASSWORD: string };
  return {
    host: 'localhost',
    port: process.env.E2E_SANDBOX_PORT ?? '2626',
    encryption: 'starttls',
    authMethod: 'plain',
    username: 'relaydesk-demo',
    password: secrets.SANDBOX_PASSWORD,
    noReplyAddress: 'noreply@acme.example',
    noReplyName,
    testRecipient: 'ops@acme.example',
  };
}

/**
 * As the signed-in TAM on `page`: takes the request, validates it live, sends the test email and applies it
 * (accepting the confirmation); returns the new version number of the tenant's configuration.
 */
export async function takeTestAndApply(page: Page, requestId: string): Promise<number> {
  await page.goto(`/requests/${requestId}`);
  await page.getByRole('button', { name: 'Take request' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('In review');
  return validateTestAndApply(page, requestId);
}

/** As the TAM on `page`, for a request already theirs in review: validates, tests and applies (see takeTestAndApply). */
export async function validateTestAndApply(page: Page, requestId: string): Promise<number> {
  if (!new URL(page.url()).pathname.endsWith(`/requests/${requestId}`)) await page.goto(`/requests/${requestId}`);
  await page.getByRole('button', { name: 'Validate', exact: true }).click();
  await expect(page.getByTestId('probe-run').first()).toContainText('passed', { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Validated');
  await page.getByRole('button', { name: 'Send test email' }).click();
  const sent = page.getByTestId('probe-run').first();
  await expect(sent).toContainText('Test email');
  await expect(sent).toContainText('passed', { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Tested');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Apply configuration' }).click();
  const done = page.getByRole('status').filter({ hasText: /Applied as version \d+/ });
  await expect(done).toBeVisible();
  return Number(/Applied as version (\d+)/.exec((await done.textContent()) ?? '')?.[1]);
}

/**
 * Relaydesk's own mail as it reached the demo sandbox, read in the sandbox inbox on `page` (signed in as an
 * admin, who sees every message, or as the recipient): waits until at least `count` messages to `to` whose
 * subject contains `subject` arrived (the worker sends them a moment after the event), opens the newest and
 * returns its subject and decoded text body.
 */
export async function readSandboxMail(page: Page, to: string, subject: string, count = 1): Promise<{ subject: string; text: string }> {
  const rows = page
    .getByRole('row')
    .filter({ hasText: `→ ${to}` })
    .filter({ hasText: subject });
  await expect(async () => {
    await page.goto('/sandbox');
    expect(await rows.count()).toBeGreaterThanOrEqual(count);
  }, `${count} mail(s) to ${to} with “${subject}” in the sandbox`).toPass({ timeout: 60_000, intervals: [500, 1000, 2000] });
  await rows.first().getByRole('link').click();
  await page.waitForURL(/\/sandbox\/[^/]+$/);
  const heading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
  const text =
    (await page
      .getByRole('region', { name: /Body|正文/ })
      .locator('.pre')
      .textContent()) ?? '';
  return { subject: heading, text };
}

/** The invitation link (path only) in the newest of `count` invitation mails to `email`, read in the sandbox as `admin`. */
export async function invitationLinkFromMail(admin: Page, email: string, count = 1): Promise<string> {
  const { text } = await readSandboxMail(admin, email, 'Relaydesk', count);
  const path = /\/invitations\/rdi_[A-Za-z0-9_-]+(\?lang=[A-Za-z-]+)?/.exec(text)?.[0];
  expect(path, `an invitation link in the mail to ${email}`).toBeTruthy();
  return path!;
}

/**
 * On the zh-CN request form (signed-in customer admin on `page`): fills in `settings` with a wrong password
 * and checks them; the check fails at sign-in and the diagnosis names the password field, which gets focus.
 */
export async function checkFormWithWrongPasswordZh(page: Page, settings: Partial<typeof VALID_REQUEST> & OptionalFields): Promise<void> {
  await page.goto('/portal/requests/new');
  await page.getByLabel('SMTP 服务器地址').fill(settings.host!);
  await page.getByLabel('端口', { exact: true }).fill(settings.port!);
  await page.getByLabel('加密方式').selectOption('starttls');
  await page.getByLabel('身份验证方式').selectOption('plain');
  await page.getByLabel('用户名').fill(settings.username!);
  await page.getByLabel('密码', { exact: true }).fill(`${settings.password}-wrong`);
  await page.getByLabel('不回复（no-reply）地址').fill(settings.noReplyAddress!);
  await page.getByLabel('不回复（no-reply）显示名称').fill(settings.noReplyName!);
  await page.getByLabel('测试收件人').fill(settings.testRecipient!);
  await page.getByRole('button', { name: '检查这些设置' }).click();

  const failed = page.getByTestId('check-failed');
  await expect(failed).toBeVisible({ timeout: 30_000 });
  await expect(failed).toContainText('检查在“身份验证”步骤失败。');
  await expect(failed).toContainText('服务器拒绝了用户名或密码');
  const password = page.getByLabel('密码', { exact: true });
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#password-error')).toHaveText('检查因这个字段失败：请查看下方的诊断，修正后再检查一次。');
  await expect(page.getByTestId('settings-check').getByTestId('probe-run').getByText('需要修正的字段：密码').first()).toBeVisible();
}

/** After checkFormWithWrongPasswordZh: types the right password, checks again (passes, no mail sent) and files. */
export async function fixPasswordCheckAndFileZh(page: Page, settings: Partial<typeof VALID_REQUEST> & OptionalFields): Promise<{ id: string; number: string }> {
  const password = page.getByLabel('密码', { exact: true });
  await password.fill(settings.password!);
  await expect(page.locator('#password-error')).toHaveCount(0);
  await page.getByRole('button', { name: '检查这些设置' }).click();
  await expect(page.getByTestId('check-passed')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('check-passed')).toContainText('检查通过');
  await page.getByRole('button', { name: '提交请求' }).click();
  const request = await readRequestPage(page);
  await expect(page.locator('h1 .badge')).toHaveText('已提交');
  return request;
}
