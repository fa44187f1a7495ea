import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Headless Chromium for the status page tests of both shops (the Fastify shop's test imports this
 * file, so playwright-core stays a dependency of this package only).
 */
/** Debian's and Ubuntu's path; `RW_CHROMIUM` names another (macOS: the app bundle's binary). */
export const executablePath = process.env.RW_CHROMIUM || '/usr/bin/chromium';
export const haveChromium = existsSync(executablePath);
/** CI (`.ci/run` sets RW_REQUIRE_CHROMIUM=1, and CI=true as most CI services do) fails without it. */
export const chromiumRequired =
  process.env.RW_REQUIRE_CHROMIUM === '1' || process.env.CI === 'true' || process.env.CI === '1';

/**
 * `test` when Chromium is there; else a failing test under CI, a skip (with a warning) elsewhere:
 * a browser test that CI skips is a failure of CI.
 */
export function browserTest(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (haveChromium) {
    test(name, fn, timeout);
  } else if (chromiumRequired) {
    test(name, () => {
      throw new Error(
        `no Chromium at ${executablePath}, and this run requires it (RW_REQUIRE_CHROMIUM=1 or CI): apt-get install chromium`,
      );
    });
  } else {
    console.warn(`${name}: skipped, no Chromium at ${executablePath} (apt-get install chromium)`);
    test.skip(name, fn);
  }
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'rw-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
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
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A chart line's attributes: `d` (the SVG path), `data-sum` (sum of its points), `data-top` of its chart. */
export async function chartLine(
  page: Page,
  chartId: string,
  line: string,
): Promise<{ d: string; sum: number; top: number }> {
  const svg = page.locator(`#chart-${chartId}`);
  const path = svg.locator(`path[data-line="${line}"]`);
  return {
    d: (await path.getAttribute('d')) ?? '',
    sum: Number(await path.getAttribute('data-sum')),
    top: Number(await svg.getAttribute('data-top')),
  };
}

interface PageDocument {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
}

/** Waits until the chart line is drawn other than `before`, and (`positive`) its points add up to more than 0. */
export async function waitForLineChange(
  page: Page,
  [chartId, line, positive]: readonly [string, string, boolean],
  before: string,
): Promise<void> {
  await page.waitForFunction(
    ([id, label, mustBePositive, old]) => {
      // Runs in the page; the tests' TypeScript has no DOM types.
      const { document } = globalThis as unknown as { document: PageDocument };
      const path = document.querySelector(`#chart-${id} path[data-line="${label}"]`);
      if (!path || path.getAttribute('d') === old) return false;
      return !mustBePositive || Number(path.getAttribute('data-sum')) > 0;
    },
    [chartId, line, positive, before] as const,
    { timeout: 10_000 },
  );
}

/** Waits until the number with this id is no longer 0. */
export async function waitForCount(page: Page, id: string): Promise<void> {
  await page.locator(`#${id}`).filter({ hasNotText: /^0$/ }).waitFor({ timeout: 10_000 });
}

/**
 * The lines the traffic of `sendTrafficThroughEveryPlugin` must draw: [chart id, line label, above
 * 0]. The data cache only misses (the response cache answers the repeats): its ratio is drawn at 0%.
 */
export const linesMovedByTraffic: ReadonlyArray<readonly [string, string, boolean]> = [
  ['apiLimit-rates', 'admitted', true],
  ['apiLimit-rates', 'rejected (429)', true],
  ['loginLimit-rates', 'admitted', true],
  ['loginLimit-rates', 'rejected (429)', true],
  ['responseCache-ratio', 'hits', true],
  ['responseCache-rates', 'hit', true],
  ['responseCache-rates', 'miss', true],
  ['dataCache-ratio', 'hits', false],
  ['dataCache-rates', 'miss', true],
  ['lock-rates', 'acquired', true],
  ['lock-rates', 'waited', true],
  ['checkoutIdempotency-rates', 'ran (charged)', true],
  ['checkoutIdempotency-rates', 'replayed', true],
  ['sessionStore-rates', 'reads', true],
  ['sessionStore-rates', 'writes', true],
];

/** The numbers the same traffic must move. */
export const countsMovedByTraffic = [
  'apiLimit-admitted',
  'apiLimit-rejected',
  'loginLimit-admitted',
  'loginLimit-rejected',
  'responseCache-hits',
  'responseCache-misses',
  'dataCache-misses',
  'lock-acquired',
  'lock-waited',
  'checkoutIdempotency-runs',
  'checkoutIdempotency-replays',
  'sessionStore-reads',
  'sessionStore-writes',
];

/**
 * Requests through every plugin of a shop at `url`, checking each answer: both caches (a miss then
 * hits), a login (session write) and `/me` (session read), two checkouts of one cart at once (the
 * second waits for the lock), a checkout retried with its Idempotency-Key (replayed), logins past
 * the token bucket (429), then anonymous requests past the API limit of 100 a minute (429).
 * Returns the cookie of the session it logged in.
 */
export async function sendTrafficThroughEveryPlugin(url: string): Promise<{ cookie: string }> {
  const post = (path: string, body?: unknown, cookie?: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const cacheHeaders = [];
  for (const path of ['/products', '/products', '/products/1', '/products/1']) {
    const response = await fetch(`${url}${path}`);
    expect(response.status).toBe(200);
    cacheHeaders.push(response.headers.get('x-cache'));
  }
  expect(cacheHeaders).toEqual(['MISS', 'HIT', 'MISS', 'HIT']);

  const login = await post('/login', { user: 'alice' });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const me = await fetch(`${url}/me`, { headers: { cookie } });
  expect(await me.json()).toEqual({ user: 'alice', sessions: 1 });

  const checkouts = await Promise.all([post('/carts/7/checkout'), post('/carts/7/checkout')]);
  expect(checkouts.map((response) => response.status)).toEqual([200, 200]);
  const keyed = () =>
    fetch(`${url}/carts/8/checkout`, { method: 'POST', headers: { 'idempotency-key': '"status-page-1"' } });
  expect((await keyed()).status).toBe(200);
  const retried = await keyed();
  expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([200, 'true']);

  const logins = [];
  for (let i = 0; i < 6; i++) logins.push((await post('/login', { user: 'bob' })).status);
  expect(logins).toContain(429);

  let status = 0;
  for (let i = 0; i < 150 && status !== 429; i++) status = (await fetch(`${url}/products`)).status;
  expect(status).toBe(429);
  return { cookie };
}

/**
 * The status page of the shop at `url`, before and after `sendTrafficThroughEveryPlugin`: every
 * chart drawn flat (and every ratio empty) with no traffic; then every number and every chart line
 * of `linesMovedByTraffic` moves, without a reload, and the API limit's axis grows with the load.
 */
export async function expectStatusPageToFollowTraffic(
  page: Page,
  url: string,
  backend: string | RegExp,
): Promise<{ cookie: string }> {
  await page.goto(`${url}/`);
  await page.locator('#backend', { hasText: backend }).waitFor();
  await page.locator('#responseCache-hits', { hasText: /^0$/ }).waitFor();

  const before = new Map<string, string>();
  for (const [chart, line] of linesMovedByTraffic) {
    const drawn = await chartLine(page, chart, line);
    expect({ chart, line, sum: drawn.sum }).toEqual({ chart, line, sum: 0 });
    before.set(`${chart} ${line}`, drawn.d);
  }
  expect(await chartLine(page, 'apiLimit-rates', 'admitted')).toMatchObject({ top: 1 });
  for (const ratio of ['responseCache-ratio', 'dataCache-ratio']) {
    await page.locator(`#chart-${ratio}`, { hasText: 'no requests' }).waitFor();
    expect(await chartLine(page, ratio, 'hits')).toMatchObject({ d: '' });
  }

  const { cookie } = await sendTrafficThroughEveryPlugin(url);

  for (const id of countsMovedByTraffic) await waitForCount(page, id);
  for (const line of linesMovedByTraffic) {
    await waitForLineChange(page, line, before.get(`${line[0]} ${line[1]}`) ?? '');
  }
  // Over 100 requests in about a second: the axis grew from 0..1 to hold them.
  expect((await chartLine(page, 'apiLimit-rates', 'admitted')).top).toBeGreaterThanOrEqual(20);
  expect(await page.locator('#error').textContent()).toBe('');
  return { cookie };
}
