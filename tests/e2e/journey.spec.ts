// Issue 2, "Done when": a customer admin with a Chinese browser files a request (and is told, in Chinese,
// which field is wrong), a TAM takes it and asks for information, the customer answers (the request goes back to its TAM),
// and the TAM sees the answer.
import { test, expect } from '@playwright/test';
import { ACCOUNTS, readRequestPage, screenshotForReadme, signIn } from './support';

test('a customer files a request in Chinese, the TAM asks for information, the customer answers', async ({ browser }) => {
  const customerContext = await browser.newContext({ locale: 'zh-CN' });
  const tamContext = await browser.newContext({ locale: 'en-US' });
  const customer = await customerContext.newPage();
  const tam = await tamContext.newPage();

  await test.step('the customer admin signs in with a Chinese browser and opens the form', async () => {
    await signIn(customer, 'alice', 'zh-CN');
    await expect(customer.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(customer.getByRole('heading', { level: 1, name: 'SMTP 配置请求' })).toBeVisible();
    await customer.getByRole('link', { name: '新建请求' }).click();
    await expect(customer).toHaveURL(/\/portal\/requests\/new$/);
    await expect(customer.getByRole('heading', { level: 1, name: '新建 SMTP 配置请求' })).toBeVisible();
  });

  await test.step('port 465 with STARTTLS shows the mismatch warning, implicit TLS clears it', async () => {
    const warning = customer.getByTestId('port-warning');
    await expect(warning).toBeHidden();
    await customer.getByLabel('端口', { exact: true }).fill('465');
    await customer.getByLabel('加密方式').selectOption('starttls');
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('端口 465 通常使用隐式 TLS，而不是 STARTTLS');
    await customer.getByLabel('加密方式').selectOption('tls');
    await expect(warning).toBeHidden();
  });

  await test.step('a no-reply address without @ is refused with a Chinese message at that field', async () => {
    await customer.getByLabel('SMTP 服务器地址').fill('smtp.acme.example');
    await customer.getByLabel('用户名').fill('relay@acme.example');
    await customer.getByLabel('密码', { exact: true }).fill('correct horse battery staple');
    await customer.getByLabel('不回复（no-reply）地址').fill('noreply.acme.example');
    await customer.getByLabel('测试收件人').fill('it-ops@acme.example');
    await customer.getByRole('button', { name: '提交请求' }).click();

    await expect(customer.getByRole('alert').filter({ hasText: '请修正下面标出的字段。' })).toBeVisible();
    const noReply = customer.getByLabel('不回复（no-reply）地址');
    await expect(noReply).toHaveAttribute('aria-invalid', 'true');
    await expect(noReply).toBeFocused();
    await expect(customer.locator('#noReplyAddress-error.field-error')).toHaveText('请输入电子邮件地址，如 noreply@example.com。');
    // The message is tied to the input, so a screen reader reads it with the field.
    await expect(noReply).toHaveAccessibleDescription(/请输入电子邮件地址，如 noreply@example\.com。/);
    // Only the wrong field is marked.
    await expect(customer.locator('.field-error')).toHaveCount(1);
    await expect(customer).toHaveURL(/\/portal\/requests\/new$/);
    await screenshotForReadme(customer, 'new-request.png', true);
  });

  let request = { id: '', number: '' };
  await test.step('fixing the field and submitting opens the new request, status 已提交', async () => {
    await customer.getByLabel('不回复（no-reply）地址').fill('noreply@acme.example');
    await expect(customer.locator('.field-error')).toHaveCount(0);
    await customer.getByLabel('备注').fill('请在本周内配置。');
    await customer.getByRole('button', { name: '提交请求' }).click();
    request = await readRequestPage(customer);
    await expect(customer.locator('h1 .badge')).toHaveText('已提交');
    await expect(customer.getByText('noreply@acme.example', { exact: true })).toBeVisible();
    await expect(customer.getByText('请在本周内配置。')).toBeVisible();
  });

  await test.step('the request is in the portal list', async () => {
    await customer.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '请求' }).click();
    await expect(customer).toHaveURL(/\/portal$/);
    const row = customer.getByRole('row').filter({ has: customer.getByRole('link', { name: request.number, exact: true }) });
    await expect(row).toContainText('已提交');
    await expect(row).toContainText('smtp.acme.example:465');
    await screenshotForReadme(customer, 'portal.png');
  });

  await test.step('the TAM signs in (English), finds it in the queue and takes it', async () => {
    await tam.goto('/sign-in');
    await screenshotForReadme(tam, 'sign-in.png');
    await signIn(tam, 'tam');
    await expect(tam.getByRole('heading', { level: 1, name: 'Request queue' })).toBeVisible();
    const row = tam.getByRole('row').filter({ has: tam.getByRole('link', { name: request.number, exact: true }) });
    await expect(row).toContainText('Acme Corporation');
    await expect(row).toContainText('Submitted');
    await screenshotForReadme(tam, 'console.png');
    await row.getByRole('link', { name: request.number, exact: true }).click();
    await expect(tam).toHaveURL(new RegExp(`/requests/${request.id}$`));

    await tam.getByRole('button', { name: 'Take request' }).click();
    await expect(tam.locator('h1 .badge')).toHaveText('In review');
    await expect(tam.getByRole('button', { name: 'Take request' })).toHaveCount(0);
  });

  const question = 'Which IP addresses may connect to smtp.acme.example? Please also confirm the port.';
  await test.step('the TAM asks for information with a comment', async () => {
    const ask = tam.getByRole('button', { name: 'Ask for information' });
    await ask.click();
    await expect(ask).toHaveAttribute('aria-expanded', 'true');
    // An empty reason is refused.
    await tam.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(tam.locator('#reason-error')).toHaveText('Say why.');
    await tam.getByLabel('What should the customer know?').fill(question);
    await tam.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(tam.locator('h1 .badge')).toHaveText('Needs information');
    await expect(tam.locator('ol.comments')).toContainText(question);
    await screenshotForReadme(tam, 'request-tam.png', true);
  });

  const answer = '允许 203.0.113.0/24 连接；端口确认为 465（隐式 TLS）。';
  await test.step('the customer sees the question and status 需要补充信息, answers and resubmits', async () => {
    await customer.goto(`/requests/${request.id}`);
    await expect(customer.locator('h1 .badge')).toHaveText('需要补充信息');
    const thread = customer.locator('ol.comments');
    await expect(thread).toContainText(question);
    await expect(thread).toContainText(ACCOUNTS.tam.name);

    await customer.getByRole('link', { name: '编辑', exact: true }).click();
    await expect(customer).toHaveURL(new RegExp(`/requests/${request.id}/edit$`));
    await expect(customer.getByRole('heading', { level: 1 })).toHaveText(`编辑 ${request.number}`);
    // Same destination: the stored password is kept.
    await expect(customer.getByText('已设置密码。留空则保持不变。')).toBeVisible();
    await customer.getByLabel('备注').fill('已允许 203.0.113.0/24。');
    await customer.getByRole('button', { name: '保存并重新提交' }).click();
    await expect(customer).toHaveURL(new RegExp(`/requests/${request.id}\\?done=saved$`));
    await expect(customer.getByRole('status').filter({ hasText: '更改已保存。' })).toBeVisible();
    // The answer gives the request back to its TAM.
    await expect(customer.locator('h1 .badge')).toHaveText('审核中');
    await expect(customer.getByText('已允许 203.0.113.0/24。')).toBeVisible();
    await customer.getByLabel('添加评论').fill(answer);
    await customer.getByRole('button', { name: '评论', exact: true }).click();
    await expect(thread).toContainText(answer);
    await expect(customer.getByLabel('添加评论')).toHaveValue('');

    // Soft: a wrong label here should not hide whether the TAM then sees the answer.
    const timeline = customer.getByRole('region', { name: '状态时间线' }).getByRole('listitem');
    await expect.soft(timeline.last(), 'the last timeline entry is the edit, in Chinese').toContainText('已编辑');
  });

  await test.step('the TAM sees the answer and the request back in review', async () => {
    await tam.reload();
    await expect(tam.locator('h1 .badge')).toHaveText('In review');
    await expect(tam.locator('ol.comments')).toContainText(answer);
    await expect(tam.locator('ol.comments')).toContainText(ACCOUNTS.alice.name);
    await expect(tam.getByText('已允许 203.0.113.0/24。')).toBeVisible();
    // Still the TAM's: no need to take it again, live checks are open.
    await expect(tam.getByRole('button', { name: 'Take request' })).toHaveCount(0);
    await expect(tam.getByRole('button', { name: 'Validate', exact: true })).toBeVisible();
  });

  await customerContext.close();
  await tamContext.close();
});
