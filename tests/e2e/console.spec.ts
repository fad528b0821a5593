// Issue 16, "Done when": each role's main journey at 1366 px and at 390 px, in English and Chinese, with axe
// on every page and no page wider than the screen; the header folds into a menu on a phone and marks the
// current page; times carry their zone; /audit/tenants is the auditor's alone; confirmations after changes.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { ACCOUNTS, expectNoAxeViolations, fileRequest, sandboxRequest, screenshotForReadme, storageStateOf, type Account } from './support';

type Lang = 'en-US' | 'zh-CN';
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

async function open(browser: Browser, account: Account, locale: Lang, viewport: { width: number; height: number }, timezoneId = 'UTC'): Promise<Page> {
  const context = await browser.newContext({
    locale,
    viewport,
    timezoneId,
    storageState: storageStateOf(account),
    ...(viewport.width < 600 ? { isMobile: true, hasTouch: true } : {}),
  });
  const page = await context.newPage();
  await page.goto(ACCOUNTS[account].home);
  // The browser's language applies unless the user saved one (access.spec.ts saves Mike's): then switch,
  // and switch back when done (close), so that the other specs find the accounts as they were.
  if ((await page.locator('html').getAttribute('lang')) !== langOf(locale)) {
    await switchLanguage(page, langOf(locale));
    switched.add(page);
  }
  return page;
}

const langOf = (locale: Lang) => (locale === 'zh-CN' ? 'zh-CN' : 'en');
const switched = new WeakSet<Page>();

async function switchLanguage(page: Page, lang: 'en' | 'zh-CN') {
  const menu = page.getByRole('button', { name: /^(Menu|菜单)$/ });
  if (await menu.isVisible()) await menu.click();
  await page
    .getByRole('combobox', { name: /^(Language|语言)$/ })
    .first()
    .selectOption(lang);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

async function close(page: Page) {
  if (switched.has(page)) await switchLanguage(page, (await page.locator('html').getAttribute('lang')) === 'en' ? 'zh-CN' : 'en');
  await page.context().close();
}

/** The page is no wider than the screen: nothing scrolls sideways but inside its own scroll box. */
async function expectNoOverflow(page: Page, what: string) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `${what}: page is ${scroll}px wide on a ${width}px screen`).toBeLessThanOrEqual(width);
}

async function check(page: Page, path: string, what: string) {
  const response = await page.goto(path);
  expect(response?.status(), `${what} opens`).toBe(200);
  await expectNoOverflow(page, what);
  await expectNoAxeViolations(page, what);
}

let request = { id: '', number: '' };

test.beforeAll(async ({ browser }) => {
  const page = await open(browser, 'alice', 'en-US', DESKTOP);
  request = await fileRequest(page, { host: 'smtp.console-spec.example' });
  // A request filed says so on the page it lands on.
  await expect(page.getByTestId('request-done')).toHaveText(`Request ${request.number} submitted.`);
  await close(page);
});

const JOURNEYS: Record<Exclude<Account, 'gina'>, (id: string) => string[]> = {
  alice: (id) => ['/portal', `/requests/${id}`, '/portal/requests/new', '/tenants/acme', '/profile'],
  mike: (id) => ['/portal', `/requests/${id}`, '/tenants/acme'],
  tam: (id) => ['/console', '/console?q=console-spec&mine=1', `/requests/${id}`, '/tenants/acme', '/tenants', '/sandbox'],
  auditor: () => ['/audit', '/audit/tenants/acme', '/audit/events/1', '/tenants'],
  admin: () => ['/admin', '/tenants', '/tenants/acme', '/console'],
};

for (const [viewportName, viewport] of [
  ['1366 px', DESKTOP],
  ['390 px', PHONE],
] as const) {
  for (const locale of ['en-US', 'zh-CN'] as const) {
    test(`every role's pages at ${viewportName} in ${locale}: axe, and nothing wider than the screen`, async ({ browser }) => {
      test.setTimeout(240_000);
      for (const [account, paths] of Object.entries(JOURNEYS) as [Exclude<Account, 'gina'>, (id: string) => string[]][]) {
        const page = await open(browser, account, locale, viewport);
        for (const path of paths(request.id)) await check(page, path, `${account} ${path} (${viewportName}, ${locale})`);
        await close(page);
      }
    });
  }
}

test('on a phone the header folds into a menu that marks the current page', async ({ browser }) => {
  const page = await open(browser, 'tam', 'en-US', PHONE);
  await page.goto('/tenants/acme');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Tenants' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Queue' })).not.toHaveAttribute('aria-current', 'page');
  await expectNoAxeViolations(page, 'phone menu open');
  await screenshotForReadme(page, 'phone-menu.png', false, PHONE);
  await nav.getByRole('link', { name: 'Queue' }).click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  // Tables are cards on a phone: each cell carries its column's name.
  await expect(page.locator('table.cards tbody tr').first()).toBeVisible();
  const cell = page.locator('table.cards tbody td[data-label]').first();
  expect(await cell.evaluate((td) => getComputedStyle(td).display)).toBe('block');
  await screenshotForReadme(page, 'phone-queue.png', false, PHONE);
  await close(page);
});

test('the focus ring reaches 3:1 against the page, and there is a favicon', async ({ browser }) => {
  const page = await open(browser, 'alice', 'en-US', DESKTOP);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineColor);
  expect(outline).toBe('rgb(31, 95, 191)');
  const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(icon).toMatch(/icon/);
  expect((await page.request.get(icon!)).status()).toBe(200);
  await close(page);
});

test("times carry their zone: the browser's by default, a zone chosen on the profile wins", async ({ browser }) => {
  const gina = await open(browser, 'gina', 'zh-CN', DESKTOP, 'Asia/Shanghai');
  await gina.goto('/profile');
  // A token, so that the page shows a time (when it was created).
  await gina.getByLabel('令牌名称').fill('time zone');
  await gina.getByRole('button', { name: '创建令牌' }).click();
  await expect(gina.getByTestId('new-token')).toBeVisible();
  await gina.reload();
  const zone = gina.getByLabel('时区');
  await expect(zone).toHaveValue('');
  await expect(zone.locator('option:checked')).toHaveText('自动：使用浏览器的时区（Asia/Shanghai）');
  await expect(gina.locator('time').first()).toContainText(/GMT\+8|CST|中国标准时间/);
  await zone.selectOption('UTC');
  await gina.getByRole('button', { name: '保存时区' }).click();
  await expect(gina.getByRole('status').filter({ hasText: '时区已保存：UTC。' })).toBeVisible();
  await gina.reload();
  await expect(zone).toHaveValue('UTC');
  await expect(gina.locator('time').first()).toContainText('UTC');
  // Back to automatic, as the other specs expect.
  await zone.selectOption('');
  await gina.getByRole('button', { name: '保存时区' }).click();
  await expect(gina.getByRole('status').filter({ hasText: '时间将跟随浏览器的时区显示' })).toBeVisible();
  await close(gina);
});

test('the customer reads what happens next; a member is told whom to ask; /audit/tenants is refused to customers', async ({ browser }) => {
  const alice = await open(browser, 'alice', 'en-US', DESKTOP);
  await alice.goto(`/requests/${request.id}`);
  await expect(alice.getByTestId('next-step')).toContainText('What happens next:');
  await expect(alice.getByTestId('next-step')).toContainText('usually within one business day');
  await alice.goto('/portal');
  await expect(alice.getByTestId('live-config')).toBeVisible();
  expect((await alice.goto('/audit/tenants/acme'))?.status()).toBe(404);
  await close(alice);

  const mike = await open(browser, 'mike', 'zh-CN', DESKTOP);
  await mike.goto(`/requests/${request.id}`);
  await expect(mike.getByTestId('member-note')).toContainText('只有客户管理员才能提交或修改请求');
  await expect(mike.getByTestId('member-note').getByRole('link', { name: ACCOUNTS.alice.name })).toHaveAttribute('href', `mailto:${ACCOUNTS.alice.email}`);
  expect((await mike.goto('/audit/tenants/acme'))?.status()).toBe(404);
  await close(mike);
});

test('the TAM searches the queue, filters to their own and sorts by number', async ({ browser }) => {
  const tam = await open(browser, 'tam', 'en-US', DESKTOP);
  await tam.getByLabel('Search the queue').fill(request.number);
  await tam.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(tam.locator('tbody tr')).toHaveCount(1);
  await expect(tam.getByRole('link', { name: request.number })).toBeVisible();
  await tam.goto('/console?q=smtp.console-spec.example');
  await expect(tam.getByRole('link', { name: request.number })).toBeVisible();
  await tam.getByRole('link', { name: /^Request/ }).click();
  await expect(tam).toHaveURL(/sort=number/);
  await expect(tam.getByRole('columnheader', { name: /^Request/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(tam.getByRole('columnheader', { name: /^Waiting/ })).toBeVisible();
  await expectNoAxeViolations(tam, 'queue searched and sorted');
  await screenshotForReadme(tam, 'queue.png');
  await close(tam);
});

test('the language switch translates a form error already on screen', async ({ browser }) => {
  // Gina (another tenant): her saved language matters to no other spec.
  const gina = await open(browser, 'gina', 'en-US', DESKTOP);
  await gina.goto('/portal/requests/new');
  await gina.getByRole('button', { name: 'Submit request' }).click();
  await expect(gina.getByRole('alert').filter({ hasText: 'Fix the fields marked below.' })).toBeVisible();
  await gina.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(gina.getByRole('alert').filter({ hasText: '请修正下面标出的字段。' })).toBeVisible();
  await expect(gina.locator('#noReplyAddress-error')).toHaveText('此字段为必填项。');
  await gina.getByRole('combobox', { name: '语言' }).selectOption('en');
  await expect(gina.locator('html')).toHaveAttribute('lang', 'en');
  await gina.context().close();
});

test('the auditor reads targets by name and status changes from → to, and searches actors by prefix', async ({ browser }) => {
  const auditor = await open(browser, 'auditor', 'en-US', DESKTOP);
  await auditor.goto('/audit?action=request.created');
  await expect(auditor.locator('tbody tr').first().locator('td').nth(5)).toHaveText(/^SMTP-\d+$/);
  await auditor.goto('/audit?actor=alice');
  const actors = await auditor.locator('tbody td:nth-child(3)').allTextContents();
  expect(actors.length).toBeGreaterThan(0);
  expect(actors.every((a) => a.startsWith(ACCOUNTS.alice.email))).toBe(true);
  await auditor.goto('/audit?action=request.status_changed');
  const first = auditor.locator('tbody tr').first();
  if ((await first.count()) > 0) await expect(first).toContainText('→');
  await screenshotForReadme(auditor, 'audit.png');
  await close(auditor);
});

test('a hanging step shows its name, the time so far and the deadline; a cancelled check reads as cancelled', async ({ browser }) => {
  const alice = await open(browser, 'alice', 'en-US', DESKTOP);
  const hanging = await fileRequest(alice, sandboxRequest('Acme Hang Test'));
  await close(alice);
  const tam = await open(browser, 'tam', 'en-US', DESKTOP);
  // The sandbox's behaviour applies to everyone, so only an admin switches it.
  const admin = await open(browser, 'admin', 'en-US', DESKTOP);
  const setMode = async (label: string) => {
    await admin.goto('/sandbox');
    await admin.getByLabel(label).check();
    await admin.getByRole('button', { name: 'Save behaviour' }).click();
    await expect(admin.getByText(`the sandbox now behaves as “${label}”`)).toBeVisible();
  };
  await setMode('Hang after connect');
  try {
    await tam.goto(`/requests/${hanging.id}`);
    await tam.getByRole('button', { name: 'Take request' }).click();
    await expect(tam.getByRole('status').filter({ hasText: 'You took this request.' })).toBeVisible();
    await tam.getByRole('button', { name: 'Validate', exact: true }).click();
    const waiting = tam.getByTestId('probe-waiting');
    await expect(waiting).toContainText('Waiting for Greeting…');
    await expect(waiting).toContainText('the check gives up after 30 s');
    await expect(waiting).toContainText(/[1-9] s on this step/, { timeout: 5_000 });
    await tam.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(tam.getByTestId('probe-cancelled')).toHaveText('Check cancelled. Nothing was sent and nothing changed.');
    await expect(tam.locator('.probe-panel .alert.error')).toHaveCount(0);
  } finally {
    await setMode('Normal');
  }
  await close(tam);
  await close(admin);
});

test('the TAM sorts the queue by any column, both ways, by mouse or keyboard; the sort survives a reload', async ({ browser }) => {
  const tam = await open(browser, 'tam', 'en-US', DESKTOP);
  const header = (name: RegExp) => tam.getByRole('columnheader', { name });
  const statusRank = ['Submitted', 'In review', 'Needs info', 'Validated', 'Tested', 'Applied', 'Rejected', 'Withdrawn'];
  const statuses = async () => (await tam.locator('tbody td[data-label="Status"]').allTextContents()).map((s) => statusRank.findIndex((r) => s.trim().startsWith(r)));
  await tam.goto('/console?status=');
  // Every sortable header is a link a keyboard reaches: Enter sorts by status (the workflow's order).
  await header(/^Status/)
    .getByRole('link')
    .focus();
  await tam.keyboard.press('Enter');
  await expect(tam).toHaveURL(/sort=status(&|$)/);
  await expect(header(/^Status/)).toHaveAttribute('aria-sort', 'ascending');
  const up = await statuses();
  expect(up.every((r) => r >= 0)).toBe(true);
  expect(up).toEqual([...up].sort((a, b) => a - b));
  await header(/^Status/)
    .getByRole('link')
    .click();
  await expect(tam).toHaveURL(/sort=status-desc/);
  await expect(header(/^Status/)).toHaveAttribute('aria-sort', 'descending');
  await tam.reload();
  await expect(header(/^Status/)).toHaveAttribute('aria-sort', 'descending');
  expect(await statuses()).toEqual([...up].sort((a, b) => b - a));
  // Only the sorted column says so; filtering keeps the sort.
  for (const other of [/^Request/, /^Tenant/, /^Server/, /^Waiting/]) await expect(header(other)).not.toHaveAttribute('aria-sort', /./);
  await tam.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(tam).toHaveURL(/sort=status-desc/);
  for (const [name, sort] of [
    [/^Server/, 'server'],
    [/^Tenant/, 'tenant'],
  ] as const) {
    await header(name).getByRole('link').click();
    await expect(tam).toHaveURL(new RegExp(`sort=${sort}(&|$)`));
    await expect(header(name)).toHaveAttribute('aria-sort', 'ascending');
  }
  const servers = async () => tam.locator('tbody td[data-label="Server"]').allTextContents();
  await header(/^Server/)
    .getByRole('link')
    .click();
  const hosts = (await servers()).map((s) => s.trim().split(':')[0]!);
  expect(hosts).toEqual([...hosts].sort());
  await expectNoAxeViolations(tam, 'queue sorted by server');
  await close(tam);
});

test('removing a TAM from a tenant asks first, by mouse and by keyboard; Cancel changes nothing', async ({ browser }) => {
  const admin = await open(browser, 'admin', 'en-US', DESKTOP);
  const suffix = Date.now().toString(36);
  const tenantName = `Unassign Test ${suffix}`;
  // The demo TAM, assigned to a new tenant (people join by invitation now; the admin page creates no users).
  const { name: tamName, email: tamEmail } = ACCOUNTS.tam;
  const tenantForm = admin.locator('form').filter({ has: admin.getByRole('heading', { name: 'Create tenant' }) });
  await tenantForm.getByLabel('Slug').fill(`unassign-${suffix}`);
  await tenantForm.getByLabel('Name').fill(tenantName);
  await tenantForm.getByRole('button', { name: 'Create tenant' }).click();
  await expect(tenantForm.getByRole('status')).toHaveText(`Tenant ${tenantName} created.`);
  await admin.reload();
  const assignForm = admin.locator('form').filter({ has: admin.getByRole('heading', { name: 'Assign TAM' }) });
  await assignForm.getByLabel('TAMs').selectOption(tamEmail);
  await assignForm.getByLabel('Tenant').selectOption(`unassign-${suffix}`);
  await assignForm.getByRole('button', { name: 'Assign TAM' }).click();
  await expect(assignForm.getByRole('status')).toHaveText('TAM assigned.');
  await admin.reload();

  const row = admin.getByRole('row').filter({ hasText: tenantName });
  const remove = row.getByRole('button', { name: `Remove ${tamName} from ${tenantName}` });
  const question = admin.getByRole('group', { name: `Remove ${tamName} from ${tenantName}?` });
  // The mouse: the question first; Cancel leaves the TAM assigned.
  await remove.click();
  await expect(question).toBeVisible();
  await expect(question.getByRole('button', { name: 'Remove', exact: true })).toBeFocused();
  await question.getByRole('button', { name: 'Cancel' }).click();
  await admin.reload();
  await expect(row).toContainText(tamName);
  // The keyboard: Enter on × asks (focus on the answer), Tab then Enter cancels, nothing changes.
  await remove.focus();
  await admin.keyboard.press('Enter');
  await expect(question.getByRole('button', { name: 'Remove', exact: true })).toBeFocused();
  await admin.keyboard.press('Tab');
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await admin.keyboard.press('Enter');
  await expect(question).toHaveCount(0);
  await admin.reload();
  await expect(row).toContainText(tamName);
  // Confirmed from the keyboard: removed, and said so.
  await remove.focus();
  await admin.keyboard.press('Enter');
  await admin.keyboard.press('Enter');
  await expect(admin.getByRole('status').filter({ hasText: `${tamName} no longer works on ${tenantName}.` })).toBeVisible();
  await admin.reload();
  await expect(row).not.toContainText(tamName);
  await expect(row).toContainText('No TAM assigned');
  await close(admin);
});

test('"Earlier runs" does not repeat the run shown above it', async ({ browser }) => {
  test.setTimeout(180_000); // a request filed and two live validations against the sandbox
  const alice = await open(browser, 'alice', 'en-US', DESKTOP);
  const checked = await fileRequest(alice, sandboxRequest('Acme Earlier Runs'));
  await close(alice);
  const tam = await open(browser, 'tam', 'en-US', DESKTOP);
  await tam.goto(`/requests/${checked.id}`);
  await tam.getByRole('button', { name: 'Take request' }).click();
  await expect(tam.getByRole('status').filter({ hasText: 'You took this request.' })).toBeVisible();
  const history = tam.getByTestId('probe-history');
  const shown = tam.locator('.probe-panel [aria-live] [data-testid="probe-run"]');
  for (let run = 1; run <= 2; run++) {
    await tam.getByRole('button', { name: 'Validate', exact: true }).click();
    // A validation against the sandbox takes seconds on a busy machine.
    await expect(shown).toHaveCount(1, { timeout: 45_000 });
    await expect(shown).toContainText('passed');
    if (run === 1) await expect(tam.getByRole('heading', { level: 1 })).toContainText('Validated');
    await tam.waitForLoadState('networkidle');
    const latestId = await shown.getAttribute('data-run-id');
    // Once the page has refreshed its list, the history holds every earlier run, and not this one.
    await expect(history.getByTestId('probe-run')).toHaveCount(run - 1);
    await expect(history.locator(`[data-run-id="${latestId}"]`)).toHaveCount(0);
    if (run === 1) await expect(history).toContainText('No earlier checks.');
  }
  // After a reload nothing is "just shown": both runs are in the history, once each.
  await tam.reload();
  const ids = await history.getByTestId('probe-run').evaluateAll((runs) => runs.map((r) => r.getAttribute('data-run-id')));
  expect(ids).toHaveLength(2);
  expect(new Set(ids).size).toBe(2);
  await close(tam);
});
