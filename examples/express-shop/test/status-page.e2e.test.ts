import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createShop, type Shop } from '../src/app';
import {
  type Browser,
  browserTest,
  expectStatusPageToFollowTraffic,
  haveChromium,
  launchBrowser,
} from './status-page-browser';

let shop: Shop;
let server: Server;
let url: string;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  // A checkout long enough for the second of two at once to wait for the lock.
  shop = await createShop({ readLatencyMs: 1, checkoutMs: 100, backend: 'memory backend (test)' });
  server = createServer(shop.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  if (!haveChromium) return;
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await shop?.close();
});

browserTest(
  'Express: the status page charts and counts what every plugin does, live',
  async () => {
    const page = await browser.newPage();
    await expectStatusPageToFollowTraffic(page, url, 'memory backend (test)');
    // The totals of the same traffic, exactly: two products, one login, three checkouts (the
    // retry of the keyed one is replayed: it takes no lock and charges nothing).
    expect(await page.locator('#responseCache-misses').textContent()).toBe('2');
    expect(await page.locator('#dataCache-misses').textContent()).toBe('1');
    expect(await page.locator('#lock-acquired').textContent()).toBe('3');
    expect(await page.locator('#checkoutIdempotency-runs').textContent()).toBe('1');
    expect(await page.locator('#checkoutIdempotency-replays').textContent()).toBe('1');
    await page.locator('#sessions-alice', { hasText: /^1$/ }).waitFor({ timeout: 5_000 });
    if (process.env.RW_STATUS_SCREENSHOT)
      await page.screenshot({ path: process.env.RW_STATUS_SCREENSHOT, fullPage: true });
  },
  60_000,
);
