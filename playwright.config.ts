// Browser tests against a production build (`npm start` builds when sources changed), on a fresh
// demo database per run. Uses the system Chromium: this repository never downloads a browser.
import { defineConfig } from '@playwright/test';

// E2E_PORT / E2E_SANDBOX_PORT let two runs share a machine.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const SANDBOX_PORT = process.env.E2E_SANDBOX_PORT ?? '2626';
const BASE_URL = `http://localhost:${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  // One server and one database for the whole run; two cores: one worker keeps timings stable.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL: BASE_URL,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    headless: true,
  },
  projects: [
    { name: 'sign-in', testMatch: /auth\.setup\.ts$/ },
    { name: 'chromium', dependencies: ['sign-in'] },
  ],
  webServer: {
    // The data folder must be fresh before the server seeds it: every run starts from the demo data.
    command: 'rm -rf .e2e-data && npm start',
    url: `${BASE_URL}/sign-in`,
    env: {
      PORT: String(PORT),
      RELAYDESK_DATA_DIR: '.e2e-data',
      DATABASE_URL: 'file:./.e2e-data/e2e.db',
      RELAYDESK_DEMO: '1',
      // Not the default 2525, so a demo `npm start` on the same machine does not collide with this server.
      SANDBOX_PORT,
      SMTP_ALLOWED_PORTS: `25,465,587,2525,${SANDBOX_PORT}`,
    },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
