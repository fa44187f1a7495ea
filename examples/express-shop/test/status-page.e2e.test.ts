import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { createShop, type Shop } from '../src/app';

const executablePath = '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
if (!haveChromium) {
  console.warn(
    `status page end-to-end test skipped: no Chromium at ${executablePath} (apt-get install chromium)`,
  );
}

let shop: Shop;
let server: Server;
let url: string;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!haveChromium) return;
  shop = await createShop({ readLatencyMs: 1, checkoutMs: 1, backend: 'memory backend (test)' });
  server = createServer(shop.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = mkdtempSync(join(tmpdir(), 'rw-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  if (!haveChromium) return;
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await shop?.close();
  rmSync(profile, { recursive: true, force: true });
});

(haveChromium ? test : test.skip)('the status page shows live counts, refreshed every second', async () => {
  const page = await browser.newPage();
  await page.goto(`${url}/`);
  await page.locator('#backend', { hasText: 'memory backend (test)' }).waitFor();
  await page.locator('#responseCache-hits', { hasText: /^0$/ }).waitFor();

  // Traffic after the page loaded: it must appear without a reload.
  await fetch(`${url}/products`);
  await fetch(`${url}/products`);
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'alice' }),
  });
  expect(login.status).toBe(200);

  await page.locator('#responseCache-hits', { hasText: /^1$/ }).waitFor({ timeout: 5_000 });
  await page.locator('#responseCache-misses', { hasText: /^1$/ }).waitFor({ timeout: 5_000 });
  await page.locator('#apiLimit-admitted', { hasText: /^3$/ }).waitFor({ timeout: 5_000 });
  await page.locator('#sessions-alice', { hasText: /^1$/ }).waitFor({ timeout: 5_000 });
  expect(await page.locator('#error').textContent()).toBe('');
});
