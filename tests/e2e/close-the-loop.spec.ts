// Issue 14, "Done when": the loop closed by Relaydesk's own mail, as it reaches the demo sandbox. A zh-CN
// customer admin files after a failing and a passing check; the English TAM gets the mail and asks for
// information; the customer gets the question by mail in Chinese and answers by comment; the request is back
// in review (the TAM's unread count goes up); the TAM validates, tests and applies; the customer gets the
// "applied" mail.
//
// The customer is a newcomer invited in Chinese (their saved language is zh-CN, so their mail is Chinese):
// switching a demo account's saved language would change what every later spec sees for that account.
import { test, expect, type Page } from '@playwright/test';
import {
  ACCOUNTS,
  checkFormWithWrongPasswordZh,
  fixPasswordCheckAndFileZh,
  invitationLinkFromMail,
  pageAs,
  readSandboxMail,
  sandboxRequest,
  validateTestAndApply,
} from './support';

async function unreadCount(page: Page): Promise<number> {
  const badge = page.getByTestId('unread-count');
  return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
}

test('a zh-CN customer files after checking, the English TAM hears by mail, asks, the answer reopens the request, the customer hears it is applied', async ({ browser }) => {
  // An invitation, two checks, three live steps and six mails through the worker on a shared two-core machine.
  test.setTimeout(300_000);
  const email = `wei-${Date.now()}@acme.example`;
  const name = '王伟';
  const settings = sandboxRequest('Acme Loop');
  const mailbox = await pageAs(browser, 'admin'); // the sandbox inbox shows an admin every message
  const tam = await pageAs(browser, 'tam');
  let customer: Page;

  await test.step('Alice invites a customer admin in Chinese; the newcomer sets a password from the mailed link', async () => {
    const alice = await pageAs(browser, 'alice');
    const panel = alice.getByRole('region', { name: 'Invitations' });
    await panel.getByLabel('Email', { exact: true }).fill(email);
    await panel.getByLabel('Name', { exact: true }).fill(name);
    await panel.getByLabel('Role', { exact: true }).selectOption({ label: 'Customer admin' });
    await panel.getByLabel('Language of the invitation').selectOption({ label: '简体中文' });
    await panel.getByRole('button', { name: 'Send invitation' }).click();
    await expect(alice.getByRole('status').filter({ hasText: `Invitation sent to ${email}.` })).toBeVisible();
    await alice.context().close();

    const link = await invitationLinkFromMail(mailbox, email);
    // An English browser: the link carries the invitation's language, and the pages after it keep it.
    expect(link).toMatch(/\?lang=zh-CN$/);
    customer = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await customer.goto(link);
    await expect(customer.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await customer.getByLabel('密码（至少 10 个字符）').fill('wei-chose-this-one');
    await customer.getByLabel('再次输入密码').fill('wei-chose-this-one');
    await customer.getByLabel('再次输入密码').press('Enter');
    await customer.waitForURL((url) => url.pathname === '/portal');
    await expect(customer.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(customer.locator('.who')).toContainText(name);
  });

  await test.step('the TAM starts with nothing unread', async () => {
    await tam.goto('/notifications');
    const markAll = tam.getByRole('button', { name: 'Mark all read' });
    if (await markAll.isVisible()) await markAll.click();
    await expect(tam.getByTestId('unread-count')).toHaveCount(0);
  });

  let request = { id: '', number: '' };
  await test.step('the customer checks with a wrong password (fails, names the password), fixes it, checks again (passes) and files', async () => {
    await checkFormWithWrongPasswordZh(customer, settings);
    request = await fixPasswordCheckAndFileZh(customer, settings);
  });

  await test.step('the TAM gets the new request by mail, in English, with its number and a link', async () => {
    const mail = await readSandboxMail(tam, ACCOUNTS.tam.email, `[${request.number}] New request from Acme Corporation`);
    expect(mail.subject).toBe(`[${request.number}] New request from Acme Corporation`);
    expect(mail.text).toContain(`Hello ${ACCOUNTS.tam.name},`);
    expect(mail.text).toContain(`${name} filed a new SMTP configuration request for Acme Corporation (server localhost).`);
    expect(mail.text).toContain(`/requests/${request.id}`);
    expect(mail.text).not.toContain(settings.password!);
  });

  const question = 'Which IP address will Relaydesk connect from? Please confirm it is allowed.';
  await test.step('the TAM takes the request and asks for information', async () => {
    await tam.goto(`/requests/${request.id}`);
    await tam.getByTestId('tam-path').getByRole('button', { name: 'Next: take it' }).click();
    await expect(tam.locator('h1 .badge')).toHaveText('In review');
    await tam.getByRole('button', { name: 'Ask for information' }).click();
    await tam.getByLabel('What should the customer know?').fill(question);
    await tam.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(tam.locator('h1 .badge')).toHaveText('Needs information');
  });

  await test.step('the customer gets the question by mail, in Chinese', async () => {
    const mail = await readSandboxMail(mailbox, email, `[${request.number}] 需要补充信息`);
    expect(mail.subject).toBe(`[${request.number}] 需要补充信息`);
    expect(mail.text).toContain(`${name}，您好：`);
    expect(mail.text).toContain(question);
    expect(mail.text).toContain('请在请求页面发表评论作答');
    expect(mail.text).toContain(`/requests/${request.id}`);
  });

  const answer = '允许从 203.0.113.10 连接，防火墙已放行。';
  let unreadBefore = 0;
  await test.step('the customer answers by comment: the request is back in review, and the TAM is told', async () => {
    await tam.goto('/console');
    unreadBefore = await unreadCount(tam);

    await customer.goto(`/requests/${request.id}`);
    await expect(customer.locator('h1 .badge')).toHaveText('需要补充信息');
    await expect(customer.locator('ol.comments')).toContainText(question);
    await customer.getByLabel('添加评论').fill(answer);
    await customer.getByRole('button', { name: '评论', exact: true }).click();
    await expect(customer.locator('ol.comments')).toContainText(answer);
    await expect(customer.locator('h1 .badge')).toHaveText('审核中');

    await tam.goto(`/requests/${request.id}`);
    await expect(tam.locator('h1 .badge')).toHaveText('In review');
    await expect(tam.locator('ol.comments')).toContainText(answer);
    expect(await unreadCount(tam)).toBeGreaterThan(unreadBefore);
    const mail = await readSandboxMail(tam, ACCOUNTS.tam.email, `[${request.number}] New comment from ${name}`);
    expect(mail.text).toContain(answer);
  });

  let version = 0;
  await test.step('the TAM validates, tests and applies', async () => {
    version = await validateTestAndApply(tam, request.id);
    expect(version).toBeGreaterThan(0);
  });

  await test.step('the customer gets the "applied" mail, in Chinese, with the version', async () => {
    const mail = await readSandboxMail(mailbox, email, `[${request.number}] 已应用为版本 ${version}`);
    expect(mail.subject).toBe(`[${request.number}] 已应用为版本 ${version}`);
    expect(mail.text).toContain(`您的设置已作为Acme Corporation的配置版本 ${version} 生效。`);
    expect(mail.text).not.toContain(settings.password!);
  });

  for (const page of [mailbox, tam, customer!]) await page.context().close();
});
