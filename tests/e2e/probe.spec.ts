// Issue 3's "done when": the demo TAM checks the seeded request against the demo sandbox, live.
import { test, expect, type Page } from '@playwright/test';
import { pageAs, expectNoAxeViolations } from './support';

async function setSandboxMode(page: Page, label: string) {
  await page.goto('/sandbox');
  await page.getByLabel(label).check();
  await page.getByRole('button', { name: 'Save behaviour' }).click();
  await expect(page.getByText(`the sandbox now behaves as “${label}”`)).toBeVisible();
}

test('validate live, send a test email, read it in the sandbox, then see the 535 diagnosis at the password', async ({ browser }) => {
  const page = await pageAs(browser, 'tam');
  await page.goto('/console');
  await page.getByRole('link', { name: 'SMTP-1001' }).click();
  await page.getByRole('button', { name: 'Take request' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('In review');

  // Count the passed steps at every change of the page: a live run shows partial states before the end.
  await page.evaluate(() => {
    const w = window as unknown as { okCounts: number[] };
    w.okCounts = [];
    new MutationObserver(() => {
      const list = document.querySelector('[data-testid="probe-steps"]');
      if (list) w.okCounts.push(list.querySelectorAll('li.ok').length);
    }).observe(document.body, { subtree: true, childList: true });
  });
  await page.getByRole('button', { name: 'Validate', exact: true }).click();
  const latest = page.getByTestId('probe-run').first();
  await expect(latest).toContainText('passed');
  await expect(latest.locator('li[data-step="auth"]').first()).toHaveClass(/ok/);
  const counts = await page.evaluate(() => (window as unknown as { okCounts: number[] }).okCounts);
  const final = Math.max(...counts);
  expect(final).toBeGreaterThanOrEqual(10);
  expect(
    counts.some((n) => n > 0 && n < final),
    `steps appeared one by one (seen: ${counts.join(',')})`,
  ).toBe(true);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Validated');

  await page.getByRole('button', { name: 'Send test email' }).click();
  const sent = page.getByTestId('probe-run').first();
  await expect(sent).toContainText('Test email');
  await expect(sent).toContainText('passed');
  await expect(sent).toContainText(/250 .*sandbox/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Tested');
  await expect(sent.getByTestId('transcript')).toContainText('AUTH PLAIN');
  await expect(sent.getByTestId('transcript')).toContainText('[redacted]');
  await expectNoAxeViolations(page, 'live checks');

  await page.goto('/sandbox');
  const row = page.locator('tbody tr').first();
  await expect(row).toContainText('noreply@acme.example');
  await expect(row).toContainText('ops@acme.example');
  await expect(row).toContainText('Acme Notifications <noreply@acme.example>');
  await row.getByRole('link').click();
  await expect(page.getByText('RCPT TO')).toBeVisible();
  await expect(page.locator('main')).toContainText('ops@acme.example');
  await expectNoAxeViolations(page, 'sandbox message');

  // The behaviour applies to everyone who uses the sandbox, so only an admin switches it; the TAM sees it.
  const admin = await pageAs(browser, 'admin');
  await setSandboxMode(admin, 'Reject sign-in');
  await page.goto('/sandbox');
  await expect(page.getByTestId('sandbox-mode')).toContainText('Reject sign-in');
  await expect(page.getByRole('button', { name: 'Save behaviour' })).toHaveCount(0);
  try {
    await page.goto('/console');
    await page.getByRole('link', { name: 'SMTP-1001' }).click();
    await page.getByRole('button', { name: 'Validate', exact: true }).click();
    const failed = page.getByTestId('probe-run').first();
    await expect(failed).toContainText('failed');
    const auth = failed.locator('li[data-step="auth"]').first();
    await expect(auth).toHaveClass(/failed/);
    await expect(auth).toContainText('535');
    await expect(auth).toContainText('Field to fix: Password');
  } finally {
    await setSandboxMode(admin, 'Normal');
  }
});
