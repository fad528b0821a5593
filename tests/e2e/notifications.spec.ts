// Issue 14, in-app notifications (the big journey is elsewhere): a customer files a request, the TAM sees
// the unread count in the header, reads the notice in the list and marks it read (by keyboard).
import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, fileRequest, pageAs } from './support';

test('the header counts unread notices; the list marks all read, then one (by keyboard)', async ({ browser }) => {
  test.setTimeout(150_000);
  const alice = await pageAs(browser, 'alice');
  const tam = await pageAs(browser, 'tam');
  await tam.goto('/notifications');
  // Start from nothing unread, so the count that follows is this test's.
  const markAll = tam.getByRole('button', { name: 'Mark all read' });
  if (await markAll.isVisible()) await markAll.click();
  await expect(tam.getByRole('status').filter({ hasText: 'Nothing unread.' })).toBeVisible();
  await expect(tam.getByTestId('unread-count')).toHaveCount(0);

  const { number } = await fileRequest(alice, { host: 'smtp.notices.example' });

  await tam.goto('/console');
  await expect(tam.getByTestId('unread-count')).toHaveText('1');
  await expect(tam.getByRole('link', { name: /Notifications \(1 unread\)/ })).toBeVisible();
  await tam.getByRole('link', { name: /Notifications/ }).click();
  await expect(tam).toHaveURL(/\/notifications$/);
  const item = tam.getByRole('listitem').filter({ hasText: number });
  await expect(item).toContainText('New request from Acme Corporation');
  await expect(item).toContainText('smtp.notices.example');
  await expectNoAxeViolations(tam, 'notifications');

  // Keyboard: the mark-read button is reachable and works with Enter.
  await item.getByRole('button', { name: /Mark .* read/ }).focus();
  await tam.keyboard.press('Enter');
  await expect(tam.getByRole('status').filter({ hasText: 'Nothing unread.' })).toBeVisible();
  await expect(tam.getByTestId('unread-count')).toHaveCount(0);
  await expect(
    tam
      .getByRole('listitem')
      .filter({ hasText: number })
      .getByRole('button', { name: /Mark .* read/ }),
  ).toHaveCount(0);
});

test('an empty list says so, in Chinese too', async ({ browser }) => {
  const auditor = await pageAs(browser, 'auditor', 'zh-CN');
  await auditor.goto('/notifications');
  await expect(auditor.getByRole('heading', { level: 1, name: '通知' })).toBeVisible();
  await expect(auditor.getByText('还没有通知。')).toBeVisible();
});
