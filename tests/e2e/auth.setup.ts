// Runs first: every demo account signs in through the form once and lands on its role's home page; the
// sessions are kept so the other tests open pages as a role without paying for a sign-in each time.
import { test as setup, expect } from '@playwright/test';
import { ACCOUNTS, signIn, storageStateOf, type Account } from './support';

const HEADINGS: Record<Account, string> = {
  alice: 'SMTP configuration requests',
  mike: 'SMTP configuration requests',
  gina: 'SMTP configuration requests',
  tam: 'Request queue',
  auditor: 'Audit trail',
  admin: 'Administration',
};

for (const account of Object.keys(ACCOUNTS) as Account[]) {
  setup(`${account} signs in and lands on ${ACCOUNTS[account].home}`, async ({ page }) => {
    await signIn(page, account);
    await expect(page.getByRole('heading', { level: 1, name: HEADINGS[account] })).toBeVisible();
    await expect(page.locator('.who')).toContainText(ACCOUNTS[account].name);
    await page.context().storageState({ path: storageStateOf(account) });
  });
}
