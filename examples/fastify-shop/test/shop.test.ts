import { type RedisServer, startRedis } from '@rediware/testing';
import { type ShopProcess, startShopProcess } from './shop-process';

let redis: RedisServer;
let shop: ShopProcess;

beforeAll(async () => {
  redis = await startRedis();
  shop = await startShopProcess({ REDIS_URL: redis.url });
});
afterAll(async () => {
  await shop?.close();
  await redis?.stop();
});

/** One HTTP client with its own cookie, like one browser. */
class Client {
  #cookie: string | undefined;

  async send(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.#cookie) headers.cookie = this.#cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${shop.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.#cookie = setCookie.split(';')[0];
    return response;
  }

  // biome-ignore lint/suspicious/noExplicitAny: a test reads the JSON bodies field by field
  async json(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await this.send(method, path, body);
    return { status: response.status, body: await response.json() };
  }
}

async function login(user: string): Promise<Client> {
  const client = new Client();
  expect((await client.send('POST', '/login', { user })).status).toBe(200);
  return client;
}

const counts = async () => (await new Client().json('GET', '/status.json')).body.counts;

describe('the Fastify demo shop, a real server on Redis', () => {
  it('answers the catalogue from the response cache and invalidates it by tag on update', async () => {
    const anonymous = new Client();
    const first = await anonymous.send('GET', '/products/1');
    expect(first.headers.get('x-cache')).toBe('MISS');
    const admin = await login('admin');
    const second = await admin.send('GET', '/products/1');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual(await first.json());

    expect((await admin.json('PUT', '/products/1', { priceCents: 2_000 })).status).toBe(200);
    const after = await anonymous.send('GET', '/products/1');
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(((await after.json()) as { priceCents: number }).priceCents).toBe(2_000);
    const list = await anonymous.json('GET', '/products');
    expect(list.body.find((product: { id: string }) => product.id === '1').priceCents).toBe(2_000);
    expect((await anonymous.send('GET', '/products/99')).status).toBe(404);
  });

  it('reads a product from the data cache when only its page was dropped', async () => {
    const client = new Client();
    await client.send('GET', '/products/2');
    const before = (await counts()).dataCache;
    const other = await client.send('GET', '/products/2?view=full');
    expect(other.headers.get('x-cache')).toBe('MISS');
    expect((await counts()).dataCache.hits).toBe(before.hits + 1);
  });

  it('logs a user out everywhere', async () => {
    const devices = [await login('bob'), await login('bob'), await login('bob')];
    expect((await devices[0]!.json('GET', '/me')).body.sessions).toBe(3);
    expect((await devices[1]!.json('POST', '/logout-everywhere')).body.destroyed).toBe(3);
    for (const device of devices) expect((await device.send('GET', '/me')).status).toBe(401);
  });

  it('checks a cart out once at a time, the second waiting, with growing fencing tokens', async () => {
    const before = (await counts()).lock;
    const [a, b] = await Promise.all([
      new Client().json('POST', '/carts/42/checkout'),
      new Client().json('POST', '/carts/42/checkout'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.fencingToken).not.toBe(b.body.fencingToken);
    expect((await counts()).lock).toEqual({
      ...before,
      acquired: before.acquired + 2,
      waited: before.waited + 1,
    });
  });

  it('charges a retried checkout with the same Idempotency-Key once and replays the order', async () => {
    const before = await counts();
    const key = { 'idempotency-key': '"order-77-a"' };
    const first = await new Client().send('POST', '/carts/77/checkout', undefined, key);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const order = await first.json();
    // The client timed out and retries, twice: the stored order comes back, no second charge.
    for (let i = 0; i < 2; i++) {
      const retry = await new Client().send('POST', '/carts/77/checkout', undefined, key);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.json()).toEqual(order);
    }
    // The same key on another cart is another request: 422, nothing charged.
    expect((await new Client().send('POST', '/carts/78/checkout', undefined, key)).status).toBe(422);
    const after = await counts();
    // One order placed: the lock was taken once, by the first request.
    expect(after.lock.acquired).toBe(before.lock.acquired + 1);
    expect(after.checkoutIdempotency).toEqual({
      ...before.checkoutIdempotency,
      runs: before.checkoutIdempotency.runs + 1,
      replays: before.checkoutIdempotency.replays + 2,
      mismatches: before.checkoutIdempotency.mismatches + 1,
    });
  });

  it('shows the counts on the status page', async () => {
    const page = await new Client().send('GET', '/');
    expect(await page.text()).toContain("fetch('/status.json'");
    const now = await counts();
    expect(now.sessions).toEqual({ admin: 1 });
    expect(now.responseCache.hits).toBeGreaterThanOrEqual(1);
    expect(now.apiLimit.rejected).toBe(0);
  });

  it('rate-limits login per IP with a token bucket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await new Client().send('POST', '/login', { user: 'eve' })).status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5);
    expect((await counts()).loginLimit.rejected).toBe(statuses.filter((status) => status === 429).length);
  });
});
