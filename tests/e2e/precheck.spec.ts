// Issue 14, "customers check before they file": a zh-CN customer admin checks the settings in the form
// against the demo sandbox with a wrong password (the check fails and names the password field), fixes it,
// checks again (passes) and files; the request carries that check, and the TAM sees it on the request page
// with the path Take → Validate → Test → Apply, the next step as the primary button.
import { test, expect } from '@playwright/test';
import { checkFormWithWrongPasswordZh, expectNoAxeViolations, fixPasswordCheckAndFileZh, pageAs, sandboxRequest } from './support';

test('a zh-CN customer checks the form’s settings, fixes the password the diagnosis names, files; the TAM sees the attached check', async ({ browser }) => {
  // Two live checks, filing, and two roles' pages on a shared two-core machine.
  test.setTimeout(180_000);
  const settings = sandboxRequest('Acme Precheck');
  const customer = await pageAs(browser, 'alice', 'zh-CN');

  await test.step('the customer fills the form with a wrong password and checks: it fails at sign-in and names the password', async () => {
    await checkFormWithWrongPasswordZh(customer, settings);
    // The steps and the transcript of their own server, the password redacted.
    const run = customer.getByTestId('settings-check').getByTestId('probe-run');
    await expect(run.locator('li[data-step="auth"]').first()).toHaveClass(/failed/);
    await expect(run.getByTestId('transcript')).toContainText('AUTH PLAIN');
    await expect(run.getByTestId('transcript')).not.toContainText(settings.password!);
    await expect(run.locator('a[href*="/bundle"]')).toHaveCount(0);
    await expectNoAxeViolations(customer, 'the form after a failed check');
  });

  let request = { id: '', number: '' };
  await test.step('the customer types the right password, checks again (passes, no mail sent) and files', async () => {
    request = await fixPasswordCheckAndFileZh(customer, settings);
    // Their own checks on the request page: the one that passed came with the request.
    const checks = customer.getByTestId('customer-checks');
    await expect(checks.getByTestId('probe-run')).toHaveCount(1);
    await expect(checks.getByTestId('probe-run').first()).toContainText('客户的检查');
    await expect(checks.getByRole('button', { name: '检查设置' })).toBeVisible();
  });

  await test.step('the TAM sees the customer’s passing check on the request and the path with Take as the next step', async () => {
    const tam = await pageAs(browser, 'tam');
    await tam.goto(`/requests/${request.id}`);
    const attached = tam.locator('.probe-panel').getByTestId('probe-run');
    await expect(attached).toHaveCount(1);
    await expect(attached.first()).toContainText("Customer's check");
    await expect(attached.first()).toContainText('passed');
    await expect(attached.first()).toContainText('matches current configuration');

    const path = tam.getByTestId('tam-path');
    await expect(path.locator('[data-step="take"]')).toHaveAttribute('data-state', 'next');
    await expect(path.locator('[data-step="validate"]')).toHaveAttribute('data-state', 'blocked');
    await expect(path.locator('[data-step="validate"]')).toContainText('Take the request to run live checks.');
    await expect(path.locator('[data-step="apply"]')).toHaveAttribute('data-state', 'blocked');
    await expectNoAxeViolations(tam, 'the request page with the TAM’s path');

    await path.getByRole('button', { name: 'Next: take it' }).click();
    await expect(tam.getByRole('heading', { level: 1 })).toContainText('In review');
    await expect(path.locator('[data-step="take"]')).toHaveAttribute('data-state', 'done');
    await expect(path.locator('[data-step="validate"]')).toHaveAttribute('data-state', 'next');
    await expect(path.locator('[data-step="test"]')).toHaveAttribute('data-state', 'possible');
    await expect(tam.locator('#probe-validate')).toHaveClass(/primary/);
    await expect(tam.locator('#probe-test-send')).not.toHaveClass(/primary/);
  });
});
