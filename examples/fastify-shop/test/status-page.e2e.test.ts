import { type RedisServer, startRedis } from '@rediware/testing';
import {
  type Browser,
  browserTest,
  expectStatusPageToFollowTraffic,
  haveChromium,
  launchBrowser,
} from '../../express-shop/test/status-page-browser';
import { type ShopProcess, startShopProcess } from './shop-process';

let redis: RedisServer;
let shop: ShopProcess;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  redis = await startRedis();
  shop = await startShopProcess({ REDIS_URL: redis.url });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  if (!haveChromium) return;
  await browser?.close();
  await shop?.close();
  await redis?.stop();
});

browserTest(
  'Fastify on Redis: the status page charts and counts what every plugin does, live',
  async () => {
    const page = await browser.newPage();
    await expectStatusPageToFollowTraffic(page, shop.url, /Redis/);
    expect(await page.locator('#framework').textContent()).toBe('Fastify');
  },
  60_000,
);
