// Issue 4, "Done when": the demo TAM applies a customer's request that points at the demo sandbox, a
// notification sent through the API arrives in the sandbox inbox with the right headers and envelope, the
// TAM rolls back to an earlier version (delivery follows it), and everyone sees the version history.
// z-audit.spec.ts runs after this file and reads the versions and audit events it leaves behind.
import { test, expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { expectNoAxeViolations, fileRequest, pageAs, sandboxRequest, screenshotForReadme, storageStateOf, takeTestAndApply } from './support';

/** Sends one notification for acme through the public API; returns its id and Message-ID. */
async function sendNotification(request: APIRequestContext, token: string, subject: string): Promise<{ id: string; messageId: string }> {
  const response = await request.post('/api/v1/tenants/acme/notifications', {
    headers: { Authorization: `Bearer ${token}` },
    data: { to: ['someone@acme.example'], subject, text: 'Alice mentioned you in #42.', kind: 'mention' },
  });
  expect(response.status(), await response.text()).toBe(202);
  const body = (await response.json()) as { id: string; messageId: string };
  expect(body.id).toBeTruthy();
  expect(body.messageId).toMatch(/^<.+@.+>$/);
  return body;
}

/**
 * The health chart (recharts, decision 017's 2026-12-02 note) at one width in one language: bars, both
 * axes, a tooltip on hover and from the keyboard, a legend whose entries stay on one line, the plot as
 * wide as its card, nothing wider than the screen, axe, and no CSP violation or error in the console.
 */
async function checkHealthChart(browser: Browser, lang: 'en' | 'zh-CN', viewport: { width: number; height: number }) {
  const context = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN', viewport, storageState: storageStateOf('tam') });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  await page.goto('/tenants/acme');
  // The TAM's saved language wins over the browser's: switch for this check, and back after it.
  const saved = await page.locator('html').getAttribute('lang');
  const switchTo = async (to: string) => {
    const menu = page.getByRole('button', { name: /^(Menu|菜单)$/ });
    if (await menu.isVisible()) await menu.click();
    await page
      .getByRole('combobox', { name: /^(Language|语言)$/ })
      .first()
      .selectOption(to);
    await expect(page.locator('html')).toHaveAttribute('lang', to);
  };
  if (saved !== lang) await switchTo(lang);
  const what = `health chart at ${viewport.width} px in ${lang}`;
  const delivered = lang === 'en' ? 'delivered' : '已投递';
  const chart = page.getByTestId('health-chart');
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  // Recharts 3 draws tick labels in their own layer (recharts-<axis>-tick-labels).
  const ticks = (axis: 'xAxis' | 'yAxis') =>
    chart.locator(`.recharts-${axis} .recharts-cartesian-axis-tick-value, .recharts-${axis}-tick-labels .recharts-cartesian-axis-tick-value`);
  await expect(ticks('yAxis').first()).toBeVisible();
  for (const count of await ticks('yAxis').allTextContents()) expect(count).toMatch(/^\d+$/);
  const hours = await ticks('xAxis').allTextContents();
  expect(hours.length, `${what}: hour labels`).toBeGreaterThanOrEqual(2);
  for (const hour of hours) expect(hour).toMatch(/\d{2}:\d{2}/);
  // Full width: the plot fills its card's content box.
  const widths = await chart.evaluate((figure) => ({
    plot: figure.querySelector('svg.recharts-surface')!.getBoundingClientRect().width,
    card: figure.getBoundingClientRect().width,
  }));
  expect(widths.plot, `${what}: plot width`).toBeGreaterThanOrEqual(widths.card - 2);
  // The legend: every entry on one line, with its total.
  const entries = chart.locator('.chart-legend li');
  await expect(entries).toHaveCount(3);
  await expect(entries.first()).toContainText(new RegExp(`^${delivered} [1-9]\\d*$`));
  for (const box of await entries.evaluateAll((items) =>
    items.map((li) => ({ height: li.getBoundingClientRect().height, line: parseFloat(getComputedStyle(li).lineHeight) || 24 })),
  )) {
    expect(box.height, `${what}: a legend entry on one line`).toBeLessThan(box.line * 1.5);
  }
  // A tooltip per hour: on hover, and with the keyboard (recharts' accessibility layer).
  await chart.locator('.recharts-bar-rectangle').last().hover();
  await expect(chart.locator('.recharts-tooltip-wrapper')).toContainText(delivered);
  await page.mouse.move(0, 0);
  await chart.locator('svg.recharts-surface').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(chart.locator('.recharts-tooltip-wrapper')).toBeVisible();
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `${what}: page width`).toBeLessThanOrEqual(width);
  await expectNoAxeViolations(page, what);
  expect(problems, `${what}: console`).toEqual([]);
  if (saved && saved !== lang) await switchTo(saved);
  await context.close();
}

/** Reloads the sandbox inbox until the message with `subject` is there; returns its row. */
async function sandboxRow(page: Page, subject: string) {
  const row = page.locator('tbody tr').filter({ has: page.getByRole('link', { name: subject, exact: true }) });
  await expect(async () => {
    await page.goto('/sandbox');
    await expect(row).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 30_000, intervals: [500, 1_000] });
  return row;
}

test('the TAM applies a request, a notification reaches the sandbox through it, then the TAM rolls back', async ({ browser, request }) => {
  test.setTimeout(480_000); // two applies, a rollback, and the health chart at two widths in two languages
  const alice = await pageAs(browser, 'alice');
  const tam = await pageAs(browser, 'tam');
  const versions = tam.locator('section', { has: tam.getByRole('heading', { level: 2, name: 'Version history' }) });
  const versionRow = (n: number) => versions.locator('tbody tr').filter({ has: tam.locator('td:first-child', { hasText: new RegExp(`^v${n}(\\s|$)`) }) });
  const activeConfig = tam.locator('section', { has: tam.getByRole('heading', { level: 2, name: 'Active configuration' }) });

  let first = { id: '', number: '' };
  let firstVersion = 0;
  await test.step('alice files a request for the sandbox; the TAM takes it, validates, test-sends and applies it', async () => {
    first = await fileRequest(alice, sandboxRequest('Acme Alerts'));
    firstVersion = await takeTestAndApply(tam, first.id);
    expect(firstVersion).toBeGreaterThanOrEqual(1);
    await expect(tam.getByRole('heading', { level: 1 })).toContainText('Applied');
    // Applied once, the button stays off and says why.
    await tam.reload();
    await expect(tam.getByRole('button', { name: 'Apply configuration' })).toBeDisabled();
    await expect(tam.getByText('This request is already applied.')).toBeVisible();
  });

  await test.step('the tenant page shows the applied version as active, without the password', async () => {
    await tam.getByRole('link', { name: 'Tenant configuration and deliveries' }).click();
    await expect(tam).toHaveURL(/\/tenants\/acme$/);
    await expect(tam.getByRole('heading', { level: 1, name: 'Acme Corporation' })).toBeVisible();
    await expect(activeConfig).toContainText(`v${firstVersion}`);
    await expect(activeConfig).toContainText(`localhost:${process.env.E2E_SANDBOX_PORT ?? '2626'}`);
    await expect(activeConfig).toContainText('Acme Alerts <noreply@acme.example>');
    await expect(activeConfig).not.toContainText(sandboxRequest('x').password!);
    await expect(versionRow(firstVersion)).toContainText('active');
    // The canary through the new version reaches the sandbox.
    await expect(async () => {
      await tam.reload();
      await expect(versionRow(firstVersion).locator('td').nth(7)).toHaveText('delivered', { timeout: 1_000 });
    }).toPass({ timeout: 30_000, intervals: [500, 1_000] });
  });

  let token = '';
  await test.step('the TAM creates a pipeline token, shown once', async () => {
    await tam.getByRole('button', { name: 'Create pipeline token' }).click();
    await expect(tam.getByText('Copy this token now: it is not shown again.')).toBeVisible();
    token = ((await tam.getByTestId('new-pipeline-token').textContent()) ?? '').trim();
    expect(token).toMatch(/^rdp_/);
    await expectNoAxeViolations(tam, 'tenant page with a new pipeline token');
    await tam.reload();
    await expect(tam.getByTestId('new-pipeline-token')).toHaveCount(0);
    await expect(tam.locator('main')).not.toContainText(token);
  });

  const subject = `Alice mentioned you (${Date.now()})`;
  let sent = { id: '', messageId: '' };
  await test.step('a notification through the API arrives in the sandbox: From the display name, To no-reply, the recipient only in the envelope', async () => {
    sent = await sendNotification(request, token, subject);
    const row = await sandboxRow(tam, subject);
    const cells = row.locator('td');
    await expect(cells.nth(1)).toContainText('→ someone@acme.example');
    await expect(cells.nth(2)).toHaveText('Acme Alerts <noreply@acme.example>');
    await expect(cells.nth(3)).toHaveText('noreply@acme.example');
    await expect(cells.nth(3)).not.toContainText('someone@');
    await expectNoAxeViolations(tam, 'sandbox inbox');

    await row.getByRole('link', { name: subject }).click();
    await expect(tam).toHaveURL(/\/sandbox\/[^/]+$/);
    const main = tam.locator('main');
    await expect(tam.getByText('RCPT TO')).toBeVisible();
    await expect(main).toContainText('someone@acme.example');
    await expect(main).toContainText(sent.messageId);
    await expect(main).toContainText('Alice mentioned you in #42.');
    await expectNoAxeViolations(tam, 'sandbox message');

    // The delivery log of the tenant shows it delivered.
    await tam.goto('/tenants/acme');
    const delivery = tam.locator('tbody tr').filter({ hasText: subject });
    await expect(delivery).toContainText('delivered');
    await expect(delivery).toContainText(sent.messageId);
  });

  await test.step('the health chart shows the delivery: full width, axes, tooltips, a one-line legend, at 1366 and 390 px, in both languages', async () => {
    for (const viewport of [
      { width: 1366, height: 900 },
      { width: 390, height: 844 },
    ]) {
      for (const lang of ['en', 'zh-CN'] as const) await checkHealthChart(browser, lang, viewport);
    }
  });

  let second = { id: '', number: '' };
  let secondVersion = 0;
  await test.step('a second request (another display name) is applied, so there is an earlier version to go back to', async () => {
    second = await fileRequest(alice, sandboxRequest('Acme Bulletins'));
    secondVersion = await takeTestAndApply(tam, second.id);
    expect(secondVersion).toBe(firstVersion + 1);
    await tam.goto('/tenants/acme');
    await expect(activeConfig).toContainText(`v${secondVersion}`);
    await expect(activeConfig).toContainText('Acme Bulletins <noreply@acme.example>');
  });

  let rolledBack = 0;
  await test.step(`the TAM rolls back to the first version: a new version with its settings becomes active`, async () => {
    await versionRow(firstVersion)
      .getByRole('button', { name: `Roll back to v${firstVersion}` })
      .click();
    // It asks in the page first, then reports the new version.
    await versionRow(firstVersion).getByRole('button', { name: 'Roll back', exact: true }).click();
    rolledBack = secondVersion + 1;
    await expect(tam.getByRole('status').filter({ hasText: `Rolled back: version ${rolledBack}, with the settings of v${firstVersion}, is now active.` })).toBeVisible();
    await expect(versionRow(rolledBack)).toBeVisible();
    await tam.reload();
    await expect(activeConfig).toContainText(`v${rolledBack}`);
    await expect(activeConfig).toContainText('Acme Alerts <noreply@acme.example>');
    await expect(versionRow(rolledBack)).toContainText('active');
    await expect(versionRow(secondVersion)).not.toContainText('active');
  });

  await test.step('the version history says who applied each version, when, and from which request', async () => {
    const cellsOf = (n: number) => versionRow(n).locator('td');
    for (const [n, req] of [
      [firstVersion, first.number],
      [secondVersion, second.number],
    ] as const) {
      await expect(cellsOf(n).nth(1)).toHaveText('applied');
      await expect(cellsOf(n).nth(4)).toHaveText('Taylor TAM');
      await expect(cellsOf(n).nth(5).locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
      await expect(cellsOf(n).nth(6).getByRole('link', { name: req, exact: true })).toBeVisible();
    }
    // What each version changed: the second only the display name; the rollback it back.
    await expect(cellsOf(secondVersion).nth(2)).toContainText('No-reply display name');
    await expect(cellsOf(rolledBack).nth(2)).toContainText('No-reply display name');
    await expect(cellsOf(rolledBack).nth(1)).toHaveText(`rollback · copy of v${firstVersion}`);
    await expect(cellsOf(rolledBack).nth(4)).toHaveText('Taylor TAM');
    await expect(cellsOf(rolledBack).nth(5).locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
    // Every version but the active one can be rolled back to.
    await expect(versionRow(rolledBack).getByRole('button')).toHaveCount(0);
    await expect(versionRow(secondVersion).getByRole('button', { name: `Roll back to v${secondVersion}` })).toBeVisible();
    await expectNoAxeViolations(tam, 'tenant page after a rollback');
    await tam.goto(`/tenants/acme?a=${firstVersion}&b=${secondVersion}`);
    await screenshotForReadme(tam, 'tenant-tam.png', true);

    // The customer sees the same history, without rollback buttons.
    await alice.goto('/tenants/acme');
    const aliceVersions = alice.locator('section', { has: alice.getByRole('heading', { level: 2, name: 'Version history' }) });
    await expect(aliceVersions.locator('tbody tr')).toHaveCount(rolledBack);
    await expect(aliceVersions.getByRole('button')).toHaveCount(0);
    await expect(aliceVersions).toContainText(first.number);
  });

  await test.step('the next notification goes out through the rolled-back version', async () => {
    const again = `Bob reviewed your pull request (${Date.now()})`;
    await sendNotification(request, token, again);
    const row = await sandboxRow(tam, again);
    await expect(row.locator('td').nth(2)).toHaveText('Acme Alerts <noreply@acme.example>');
    await expect(row.locator('td').nth(1)).toContainText('→ someone@acme.example');
    // Leave no canary in flight for the specs that read the sandbox next.
    await expect(async () => {
      await tam.goto('/tenants/acme');
      await expect(tam.locator('tbody tr').filter({ hasText: /queued|retrying/ })).toHaveCount(0, { timeout: 1_000 });
    }).toPass({ timeout: 30_000, intervals: [500, 1_000] });
  });
});
