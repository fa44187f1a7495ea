import { eventually, type RedisTarget, useRedisTargets } from '@rediware/testing';
import { type Framework, type PaymentApp, type PaymentOptions, pay, startPaymentApp } from './payment-app';

/** The draft's cases over real HTTP, on every backend: one suite that both adapters pass. */
export function describeDraftCases(framework: Framework): void {
  // REDIWARE_TARGETS picks targets; by default every one but the ioredis cluster (its own files cover it).
  const targets = useRedisTargets(
    process.env.REDIWARE_TARGETS ? undefined : ['memory', 'node-redis', 'ioredis', 'node-redis-cluster'],
  );

  describe.each(targets)(`${framework} on $name`, (target: RedisTarget) => {
    let app: PaymentApp | undefined;
    let keys = 0;
    /** A fresh key per request group: the targets are flushed once per test. */
    const newKey = (): string => `"${framework}-${target.name}-${Date.now()}-${++keys}"`;
    const start = async (options: PaymentOptions = {}): Promise<PaymentApp> => {
      app = await startPaymentApp(framework, { redis: target.client() as never, ...options });
      return app;
    };

    beforeEach(() => target.flush());
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('runs the first request and replays its response to a retry, marked, without its cookie or rate-limit headers', async () => {
      const app = await start();
      const key = newKey();
      const first = await pay(app, key);
      expect(first.status).toBe(201);
      expect(first.headers.get('set-cookie')).toMatch(/^seen=1/);
      const firstBody = await first.text();
      const retry = await pay(app, key);
      expect(retry.status).toBe(201);
      expect(await retry.text()).toBe(firstBody);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.headers.get('location')).toBe('/payments/pay_1');
      expect(retry.headers.get('content-type')).toMatch(/^application\/json/);
      expect(retry.headers.get('set-cookie')).toBeNull();
      // A limiter in front sets its own on the retry; the first request's count is never replayed.
      expect(first.headers.get('ratelimit-remaining')).toBe('9');
      expect(retry.headers.get('ratelimit-remaining')).toBeNull();
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(app.runs()).toBe(1);
    });

    it('gives the handler a fencing token that grows with every first request', async () => {
      const app = await start();
      const one = (await (await pay(app, newKey())).json()) as { fencingToken: number };
      const two = (await (await pay(app, newKey())).json()) as { fencingToken: number };
      expect(two.fencingToken).toBeGreaterThan(one.fencingToken);
    });

    it('answers 422 to the same key with another body, and runs nothing', async () => {
      const app = await start();
      const key = newKey();
      expect((await pay(app, key, { amount: 10 })).status).toBe(201);
      const other = await pay(app, key, { amount: 99 });
      expect(other.status).toBe(422);
      expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await other.json()).toMatchObject({
        type: 'https://rediware.dev/errors/ERR_RW_IDEMPOTENCY_MISMATCH',
        status: 422,
      });
      expect(app.runs()).toBe(1);
    });

    it('answers 400 to a request without a key where one is required', async () => {
      const app = await start({ required: true });
      const missing = await pay(app, undefined);
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({
        type: 'https://rediware.dev/errors/ERR_RW_IDEMPOTENCY_KEY_MISSING',
      });
      expect(app.runs()).toBe(0);
    });

    it('runs every request without a key where none is required', async () => {
      const app = await start();
      expect((await pay(app, undefined)).status).toBe(201);
      expect((await pay(app, undefined)).status).toBe(201);
      expect(app.runs()).toBe(2);
    });

    it.each([
      ['unquoted', 'abc-123'],
      ['over 255 characters', `"${'k'.repeat(256)}"`],
      ['empty', '""'],
      ['two keys', '"a", "b"'],
    ])('answers 400 to a malformed key (%s)', async (_, key) => {
      const app = await start();
      const malformed = await pay(app, key);
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({
        type: 'https://rediware.dev/errors/ERR_RW_IDEMPOTENCY_KEY_MALFORMED',
      });
      expect(app.runs()).toBe(0);
    });

    it('accepts a key of 255 characters', async () => {
      const app = await start();
      expect((await pay(app, `"${'k'.repeat(255)}"`)).status).toBe(201);
    });

    it('answers 409 with Retry-After while the first request runs, then replays', async () => {
      const app = await start({ lockTtl: '30s' });
      const key = newKey();
      const held = app.hold();
      const first = pay(app, key);
      await held.entered;
      const busy = await pay(app, key);
      expect(busy.status).toBe(409);
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(busy.headers.get('retry-after'))).toBeLessThanOrEqual(30);
      expect(await busy.json()).toMatchObject({
        type: 'https://rediware.dev/errors/ERR_RW_IDEMPOTENCY_IN_FLIGHT',
      });
      held.release();
      expect((await first).status).toBe(201);
      const retry = await pay(app, key);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(app.runs()).toBe(1);
    });

    it('with `wait`, a retry during the first request gets its response', async () => {
      const app = await start({ wait: '5s' });
      const key = newKey();
      const held = app.hold();
      const first = pay(app, key);
      await held.entered;
      const retry = pay(app, key);
      setTimeout(() => held.release(), 200);
      const [one, two] = await Promise.all([first, retry]);
      expect(two.status).toBe(201);
      expect(await two.text()).toBe(await one.text());
      expect(two.headers.get('idempotent-replayed')).toBe('true');
      expect(app.runs()).toBe(1);
    });

    it.each([
      ['a 5xx', 'fail', 500],
      ['a 429', 'busy', 429],
      ['a handler that throws', 'throw', 500],
    ] as const)(
      'does not store %s: the key is released and a retry runs again',
      async (_, outcome, status) => {
        const app = await start();
        const key = newKey();
        expect((await pay(app, key, { outcome })).status).toBe(status);
        const retry = await pay(app, key, { outcome });
        expect(retry.status).toBe(status);
        expect(retry.headers.get('idempotent-replayed')).toBeNull();
        expect(app.runs()).toBe(2);
      },
    );

    it('stores what `storeStatus` says', async () => {
      const app = await start({ storeStatus: () => true });
      const key = newKey();
      expect((await pay(app, key, { outcome: 'fail' })).status).toBe(500);
      const retry = await pay(app, key, { outcome: 'fail' });
      expect(retry.status).toBe(500);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(app.runs()).toBe(1);
    });

    it('replays a response over maxBodySize with its status and headers, and an empty body', async () => {
      const app = await start({ maxBodySize: 1024 });
      const key = newKey();
      const first = await pay(app, key, { outcome: 'big' });
      expect((await first.text()).length).toBeGreaterThan(2048);
      const retry = await pay(app, key, { outcome: 'big' });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.text()).toBe('');
      expect(app.runs()).toBe(1);
    });

    it("keeps scopes apart: one client's key never replays another's response", async () => {
      const app = await start({
        scope: (req) => String((req as { headers: Record<string, string> }).headers['x-user']),
      });
      const key = newKey();
      await pay(app, key, { amount: 10 }, { 'x-user': 'alice' });
      const bob = await pay(app, key, { amount: 10 }, { 'x-user': 'bob' });
      expect(bob.headers.get('idempotent-replayed')).toBeNull();
      expect(app.runs()).toBe(2);
    });

    it('lets a retry take over a key whose first request died, after lockTtl', async () => {
      const app = await start({ lockTtl: 300 });
      const key = newKey();
      // A marker of a process that died mid-request: taken, never extended nor completed.
      const dead = await app.store.begin({ scope: '', key: key.slice(1, -1), fingerprint: 'x' });
      expect(dead.kind).toBe('run');
      if (dead.kind === 'run') dead.flight.stopExtending();
      expect((await pay(app, key, { amount: 10 })).status).toBe(422);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await pay(app, key, { amount: 10 })).status).toBe(201);
      expect(app.runs()).toBe(1);
    });

    it('holds the key while the handler runs after its client left, then stores its response', async () => {
      const app = await start();
      const key = newKey();
      const held = app.hold();
      const client = new AbortController();
      const first = pay(app, key, { amount: 10 }, {}, client.signal).catch(() => undefined);
      await held.entered;
      client.abort();
      await first;
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Released on the disconnect, this retry would charge a second time.
      expect((await pay(app, key)).status).toBe(409);
      held.release();
      await eventually(async () => {
        const retry = await pay(app, key);
        if (retry.headers.get('idempotent-replayed') !== 'true') throw new Error(`got ${retry.status}`);
        expect(retry.status).toBe(201);
      });
      expect(app.runs()).toBe(1);
    });

    it('runs the handler once for 50 concurrent requests with one key; the rest get 409', async () => {
      const app = await start();
      const key = newKey();
      const held = app.hold();
      const first = pay(app, key);
      await held.entered;
      const rest = await Promise.all(Array.from({ length: 49 }, () => pay(app, key)));
      held.release();
      expect((await first).status).toBe(201);
      expect(rest.map((reply) => reply.status)).toEqual(Array(49).fill(409));
      expect(app.runs()).toBe(1);
    });

    it('runs the handler once for 50 concurrent requests with one key and `wait`: all get its response', async () => {
      const app = await start({ wait: '10s' });
      const key = newKey();
      const replies = await Promise.all(Array.from({ length: 50 }, () => pay(app, key)));
      const bodies = await Promise.all(replies.map((reply) => reply.text()));
      expect(replies.map((reply) => reply.status)).toEqual(Array(50).fill(201));
      expect(new Set(bodies).size).toBe(1);
      expect(replies.filter((reply) => reply.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
      expect(app.runs()).toBe(1);
    });
  });
}
