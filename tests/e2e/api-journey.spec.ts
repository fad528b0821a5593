// The same journey through the v1 API with personal access tokens created on the profile page:
// create (with per-field problem details first), list, take, ask for information, answer, edit, see the answer.
import { test, expect, type APIRequestContext, type APIResponse, type Browser } from '@playwright/test';
import { pageAs, VALID_REQUEST, type Account } from './support';

/** Creates a token on /profile through the UI, as that user; optionally checks it is shown only once. */
async function createTokenOnProfile(browser: Browser, account: Account, checkShownOnce = false): Promise<string> {
  const page = await pageAs(browser, account);
  await page.goto('/profile');
  await page.getByLabel('Token name').fill(`e2e ${account}`);
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByTestId('new-token');
  await expect(shown).toHaveText(/^rdk_\S{20,}$/);
  const token = ((await shown.textContent()) ?? '').trim();
  await expect(page.getByRole('listitem').filter({ hasText: `e2e ${account}` })).toContainText(token.slice(0, 10));
  if (checkShownOnce) {
    await page.reload();
    await expect(page.getByTestId('new-token')).toHaveCount(0);
    await expect(page.getByText(token)).toHaveCount(0);
  }
  await page.context().close();
  return token;
}

async function problemOf(response: APIResponse, status: number) {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()['content-type']).toContain('application/problem+json');
  const body = (await response.json()) as { status: number; title: string; detail: string; errors?: { path: string; message: string }[] };
  expect(body.status).toBe(status);
  expect(body.title).toBeTruthy();
  expect(body.detail).toBeTruthy();
  return body;
}

async function okJson<T>(response: APIResponse, status = 200): Promise<T> {
  expect(response.status(), await response.text()).toBe(status);
  return (await response.json()) as T;
}

type RequestView = { id: string; number: string; status: string; hasPassword: boolean; assignee: { email: string } | null; notes: string; tenant: string };
type Comment = { body: string; internal: boolean; author: { name: string } };

async function listIds(api: APIRequestContext, query = ''): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams(query);
    if (cursor) params.set('cursor', cursor);
    const page: { items: { id: string }[]; nextCursor: string | null } = await okJson(await api.get(`/api/v1/smtp-requests?${params.toString()}`));
    ids.push(...page.items.map((x) => x.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

test('the journey through the API with personal access tokens', async ({ browser, playwright, baseURL }) => {
  const tokens = {
    alice: await createTokenOnProfile(browser, 'alice', true),
    tam: await createTokenOnProfile(browser, 'tam'),
    gina: await createTokenOnProfile(browser, 'gina'),
  };
  const as = (who: keyof typeof tokens, lang = 'en') =>
    playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${tokens[who]}`, 'Accept-Language': lang } });
  const anonymous = await playwright.request.newContext({ baseURL });
  const alice = await as('alice', 'zh-CN');
  const tam = await as('tam');
  const gina = await as('gina');
  const body = { ...VALID_REQUEST, port: 465, encryption: 'tls', authMethod: 'login', noReplyName: 'Acme 通知', notes: 'via API' };

  await test.step('no token, or a wrong one: 401', async () => {
    await problemOf(await anonymous.get('/api/v1/smtp-requests'), 401);
    await problemOf(await anonymous.get('/api/v1/smtp-requests', { headers: { Authorization: 'Bearer rdk_not-a-real-token' } }), 401);
  });

  let created!: RequestView;
  await test.step('invalid fields: 422 with every field error, translated, and nothing written', async () => {
    const before = await listIds(alice);
    const bad = await problemOf(await alice.post('/api/v1/smtp-requests', { data: { ...body, host: 'smtp .acme.example', noReplyAddress: 'noreply.acme.example' } }), 422);
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'host', message: '服务器地址中不允许有空格。' }),
        expect.objectContaining({ path: 'noReplyAddress', message: '请输入电子邮件地址，如 noreply@example.com。' }),
      ]),
    );
    expect(bad.errors).toHaveLength(2);
    expect(await listIds(alice)).toEqual(before);
  });

  await test.step('the customer admin creates the request: 201, password write-only', async () => {
    const response = await alice.post('/api/v1/smtp-requests', { data: body });
    const text = await response.text();
    expect(text).not.toContain(VALID_REQUEST.password);
    expect(text).not.toContain(Buffer.from(VALID_REQUEST.password).toString('base64'));
    created = await okJson<RequestView>(response, 201);
    expect(created).toMatchObject({ status: 'submitted', tenant: 'acme', hasPassword: true, assignee: null, notes: 'via API' });
    expect(created.number).toMatch(/^SMTP-\d+$/);
    expect(created).not.toHaveProperty('password');
    expect(await listIds(alice)).toContain(created.id);
  });

  await test.step('another tenant gets 404 for it, not 403', async () => {
    await problemOf(await gina.get(`/api/v1/smtp-requests/${created.id}`), 404);
    await problemOf(await gina.get(`/api/v1/smtp-requests/${created.id}/comments`), 404);
    await problemOf(await gina.post(`/api/v1/smtp-requests/${created.id}/comments`, { data: { body: 'hello' } }), 404);
    expect(await listIds(gina)).not.toContain(created.id);
  });

  const question = 'Which IP addresses will connect? (API)';
  await test.step('the TAM finds it, takes it and asks for information', async () => {
    expect(await listIds(tam, 'status=submitted')).toContain(created.id);
    const taken = await okJson<RequestView>(await tam.post(`/api/v1/smtp-requests/${created.id}/transitions`, { data: { to: 'in_review' } }));
    expect(taken.status).toBe('in_review');
    expect(taken.assignee?.email).toBe('tam@relaydesk.example');
    const noReason = await problemOf(await tam.post(`/api/v1/smtp-requests/${created.id}/transitions`, { data: { to: 'needs_info' } }), 422);
    expect(noReason.errors).toEqual([expect.objectContaining({ path: 'comment' })]);
    const asked = await okJson<RequestView>(await tam.post(`/api/v1/smtp-requests/${created.id}/transitions`, { data: { to: 'needs_info', comment: question } }));
    expect(asked.status).toBe('needs_info');
    await okJson(await tam.post(`/api/v1/smtp-requests/${created.id}/comments`, { data: { body: 'internal: customer is slow', internal: true } }), 201);
  });

  const answer = '允许 203.0.113.0/24（API）';
  await test.step('the customer sees the question (not the internal note), answers (back to its TAM)', async () => {
    expect((await okJson<RequestView>(await alice.get(`/api/v1/smtp-requests/${created.id}`))).status).toBe('needs_info');
    const thread = (await okJson<{ items: Comment[] }>(await alice.get(`/api/v1/smtp-requests/${created.id}/comments`))).items;
    expect(thread.map((c) => c.body)).toEqual([question]);
    await problemOf(await alice.post(`/api/v1/smtp-requests/${created.id}/comments`, { data: { body: 'x', internal: true } }), 403);
    // A new destination without the password again is refused: the stored one was bound to the old host.
    const retype = await problemOf(await alice.patch(`/api/v1/smtp-requests/${created.id}`, { data: { host: 'smtp2.acme.example' } }), 422);
    expect(retype.errors).toEqual([expect.objectContaining({ path: 'password', message: '服务器、端口、加密方式或用户名已更改：请重新输入密码。' })]);

    const edited = await okJson<RequestView>(await alice.patch(`/api/v1/smtp-requests/${created.id}`, { data: { notes: 'allowed 203.0.113.0/24' } }));
    // The answer gives the request back to its TAM.
    expect(edited).toMatchObject({ status: 'in_review', hasPassword: true, notes: 'allowed 203.0.113.0/24' });
    expect(edited.assignee?.email).toBe('tam@relaydesk.example');
    const comment = await okJson<Comment>(await alice.post(`/api/v1/smtp-requests/${created.id}/comments`, { data: { body: answer } }), 201);
    expect(comment).toMatchObject({ body: answer, internal: false });
  });

  await test.step('the TAM sees the answer and the request back in review', async () => {
    const thread = (await okJson<{ items: Comment[] }>(await tam.get(`/api/v1/smtp-requests/${created.id}/comments`))).items;
    expect(thread.map((c) => c.body)).toEqual([question, 'internal: customer is slow', answer]);
    expect(thread[2]?.author.name).toBe('Alice Admin');
    const current = await okJson<RequestView>(await tam.get(`/api/v1/smtp-requests/${created.id}`));
    expect(current).toMatchObject({ status: 'in_review', notes: 'allowed 203.0.113.0/24' });
    expect(await listIds(tam, 'status=in_review')).toContain(created.id);
  });

  for (const context of [anonymous, alice, tam, gina]) await context.dispose();
});
