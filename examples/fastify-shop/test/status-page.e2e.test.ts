import { allKeys, type RedisServer, redisCommand, startRedis } from '@rediware/testing';
import {
  type Browser,
  browserTest,
  expectStatusPageToFollowTraffic,
  haveChromium,
  launchBrowser,
  waitForCount,
  waitForLineChange,
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
    const { cookie } = await expectStatusPageToFollowTraffic(page, shop.url, /Redis/);
    expect(await page.locator('#framework').textContent()).toBe('Fastify');

    // A session record that is not one (another Redis type): answered as no session, and counted.
    const sessionRecords = [];
    for (const key of await allKeys(redis)) {
      if (key.startsWith('shop:sess:') && (await redisCommand(redis, ['TYPE', key])) === 'hash')
        sessionRecords.push(key);
    }
    expect(sessionRecords.length).toBeGreaterThan(0);
    for (const key of sessionRecords) await redisCommand(redis, ['SET', key, 'not a session']);
    await fetch(`${shop.url}/me`, { headers: { cookie } });
    await waitForCount(page, 'sessionStore-corrupt');
    await waitForLineChange(page, ['sessionStore-rates', 'corrupt records', true], '');

    // Redis gone: the session store fails closed (503) and counts the failure; the page, which
    // reads the counters in process, goes on showing them. (The rate limit would fail open, but
    // this IP is over its limit and answered from the block cache, without Redis.)
    await redis.stop();
    expect((await fetch(`${shop.url}/me`, { headers: { cookie } })).status).toBe(503);
    await waitForCount(page, 'sessionStore-errors');
    await waitForLineChange(page, ['redisFailures-rates', 'session store', true], '');
    expect(await page.locator('#error').textContent()).toBe('');
  },
  60_000,
);
