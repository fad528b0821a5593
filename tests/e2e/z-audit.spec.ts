// Issue 5, "Done when": the auditor filters the trail to one tenant, opens the apply event and reads its
// diff, compares two configuration versions (the password only as changed/unchanged), and downloads the CSV.
// Named z-… so that it runs after pipeline.spec.ts, whose applies and rollback it reads; run alone, it applies
// two sandbox requests itself first.
import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, fileRequest, pageAs, sandboxRequest, takeTestAndApply } from './support';

test('the auditor filters to acme, reads the apply event and a version diff, and downloads the CSV', async ({ browser }) => {
  test.setTimeout(180_000);
  const auditor = await pageAs(browser, 'auditor');

  await test.step('acme has at least two configuration versions (pipeline.spec.ts made them; otherwise apply two now)', async () => {
    await auditor.goto('/audit/tenants/acme');
    const count = await auditor.locator('tbody tr').count();
    if (count >= 2) return;
    const alice = await pageAs(browser, 'alice');
    const tam = await pageAs(browser, 'tam');
    for (const name of ['Acme Alerts', 'Acme Bulletins']) {
      const filed = await fileRequest(alice, sandboxRequest(name));
      await takeTestAndApply(tam, filed.id);
    }
    await alice.context().close();
    await tam.context().close();
  });

  let applySeq = '';
  await test.step('verify the whole chain from the console (hashed on a second thread of the server)', async () => {
    await auditor.goto('/audit');
    await auditor.getByRole('button', { name: 'Verify chain' }).click();
    await expect(auditor.getByTestId('verify-result')).toHaveClass(/success/);
  });

  await test.step('filter the trail to tenant acme, then to the apply action', async () => {
    await auditor.goto('/audit');
    await expect(auditor.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();
    await auditor.getByRole('combobox', { name: /^Tenant/ }).selectOption('acme');
    await auditor.getByRole('button', { name: 'Apply filter' }).click();
    await expect(auditor).toHaveURL(/[?&]tenant=acme(&|$)/);
    const rows = auditor.locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    // Only acme's events: the tenant column names Acme on every row.
    const tenants = await rows.locator('td:nth-child(4)').allTextContents();
    expect(new Set(tenants)).toEqual(new Set(['Acme Corporation']));
    await expectNoAxeViolations(auditor, 'audit trail filtered to acme');

    await auditor.getByRole('combobox', { name: /^Action/ }).selectOption('config.applied');
    await auditor.getByRole('button', { name: 'Apply filter' }).click();
    await expect(auditor).toHaveURL(/[?&]action=config\.applied(&|$)/);
    await expect(auditor).toHaveURL(/[?&]tenant=acme(&|$)/);
    const actions = await rows.locator('td:nth-child(5)').allTextContents();
    expect(actions.length).toBeGreaterThanOrEqual(2);
    expect(new Set(actions)).toEqual(new Set(['Configuration applied']));
    // Newest first: the first row is the latest apply.
    applySeq = ((await rows.first().locator('td').first().textContent()) ?? '').trim();
    expect(applySeq).toMatch(/^\d+$/);
  });

  await test.step('open the apply event: who, and what the configuration became (no password)', async () => {
    await auditor.locator('tbody tr').first().getByRole('link', { name: 'Configuration applied' }).click();
    await expect(auditor).toHaveURL(new RegExp(`/audit/events/${applySeq}$`));
    await expect(auditor.getByRole('heading', { level: 1 })).toContainText(`Event #${applySeq}`);
    await expect(auditor.getByRole('heading', { level: 1 })).toContainText('Configuration applied');
    await expect(auditor.getByRole('heading', { level: 1 })).toContainText('config.applied');
    await expect(auditor.locator('dl.details')).toContainText('tam@relaydesk.example');
    await expect(auditor.locator('dl.details')).toContainText('acme');
    const diff = auditor.getByTestId('diff');
    const row = (field: string) => diff.locator('tbody tr').filter({ has: auditor.getByRole('rowheader', { name: field, exact: true }) });
    // Fields by the names people know, the code beside them.
    await expect(row('Version').locator('td').nth(1)).toHaveText(/^\d+$/);
    await expect(row('SMTP server address').locator('td').nth(1)).toHaveText('localhost');
    await expect(row('SMTP server address').locator('th')).toContainText('host');
    await expect(row('No-reply address').locator('td').nth(1)).toHaveText('noreply@acme.example');
    await expect(row('Password').locator('td').nth(1)).toHaveText('set');
    await expect(row('Version')).toHaveClass(/changed/);
    await expect(auditor.locator('main')).not.toContainText(sandboxRequest('x').password!);
    await expectNoAxeViolations(auditor, 'apply event');
  });

  await test.step('compare two configuration versions of acme: fields side by side, the password only changed/unchanged', async () => {
    await auditor.getByRole('link', { name: 'Configuration versions of acme' }).click();
    await expect(auditor).toHaveURL(/\/audit\/tenants\/acme$/);
    await expect(auditor.getByRole('heading', { level: 1, name: 'Configuration versions of Acme Corporation' })).toBeVisible();
    const versionRows = auditor.locator('table:not([data-testid]) tbody tr');
    const labels = (await versionRows.locator('td:first-child').allTextContents()).map((s) => s.trim());
    expect(labels.length).toBeGreaterThanOrEqual(2);
    // Two applied versions with different display names, one after the other: Acme Alerts → Acme Bulletins
    // (pipeline.spec.ts or the step above). Other journeys may have applied acme versions before them, so
    // find their numbers first.
    const diff = auditor.getByTestId('version-diff');
    const row = (field: string) => diff.locator('tbody tr').filter({ has: auditor.getByRole('rowheader', { name: field, exact: true }) });
    let alerts = 0;
    for (let v = 1; v < labels.length && !alerts; v++) {
      await auditor.goto(`/audit/tenants/acme?a=${v}&b=${v + 1}`);
      const names = (await row('No-reply display name').locator('td').allTextContents()).map((s) => s.trim());
      if (names[0] === 'Acme Alerts' && names[1] === 'Acme Bulletins') alerts = v;
    }
    expect(alerts, 'an applied "Acme Alerts" followed by "Acme Bulletins"').toBeGreaterThan(0);
    await auditor.goto('/audit/tenants/acme');
    const form = auditor.getByRole('form', { name: 'Compare' });
    await form.getByRole('combobox', { name: /^Version/ }).selectOption(String(alerts));
    await form.getByRole('combobox', { name: /^with version/ }).selectOption(String(alerts + 1));
    await form.getByRole('button', { name: 'Compare' }).click();
    await expect(auditor).toHaveURL(new RegExp(`[?&]a=${alerts}&b=${alerts + 1}$`));
    await expect(auditor.getByRole('heading', { level: 2, name: `Version ${alerts} → ${alerts + 1}` })).toBeVisible();
    await expect(row('No-reply display name')).toHaveClass(/changed/);
    await expect(row('No-reply display name').locator('td').nth(0)).toHaveText('Acme Alerts');
    await expect(row('No-reply display name').locator('td').nth(1)).toHaveText('Acme Bulletins');
    await expect(row('SMTP server address')).toHaveClass(/same/);
    // Same sandbox password in both: the password row says so and nothing more.
    await expect(row('Password').locator('td').nth(1)).toHaveText('unchanged');
    await expect(row('Password')).toHaveClass(/same/);
    await expect(diff).not.toContainText(sandboxRequest('x').password!);
    await expectNoAxeViolations(auditor, 'configuration version diff');
  });

  await test.step('download the acme trail as CSV', async () => {
    await auditor.goto('/audit?tenant=acme');
    const link = auditor.getByRole('link', { name: 'Download CSV' });
    await expect(link).toHaveAttribute('href', /format=csv&.*tenant=acme/);
    const [download] = await Promise.all([auditor.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^relaydesk-audit-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    // A byte order mark first, so spreadsheet programs read the UTF-8 (and the Chinese) right.
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('seq,at,actorType,actor,tenant,action,targetType,targetId,before,after,ip,userAgent,requestId,prevHash,hash,targetLabel');
    const body = lines.slice(1);
    expect(body.length).toBeGreaterThan(2);
    expect(body.filter((l) => l.includes(',config.applied,')).length).toBeGreaterThanOrEqual(2);
    // Every row is acme's (the 5th column), and no secret leaks into the file.
    for (const line of body) expect(line.split(',')[4], line).toBe('acme');
    expect(csv).not.toContain(sandboxRequest('x').password!);
  });
});
