import {
  connectIoredis,
  eventually,
  expectAnsweredWithin,
  expectProblem503,
  type IoredisClient,
  rawRequest,
  useFaultyRedis,
  waitFor,
} from '@rediware/testing';
import { type Framework, type PaymentApp, pay, startPaymentApp } from './payment-app';

const faulty = useFaultyRedis();
let proxied: IoredisClient;

beforeAll(async () => {
  proxied = await connectIoredis(faulty.proxy().url);
});

describe.each<Framework>(['express', 'fastify'])('%s when Redis fails', (framework) => {
  let app: PaymentApp;

  beforeEach(async () => {
    faulty.proxy().pass();
    await waitFor(() => proxied.status === 'ready', 10_000);
    app = await startPaymentApp(framework, { redis: proxied, timeout: 200 });
    // The previous test's fault may leave the client marked down until a probe finds Redis back.
    await eventually(async () => {
      if ((await pay(app, `"warm-up-${Date.now()}"`)).status !== 201) throw new Error('not yet');
    });
  });
  afterEach(() => app.close());

  it('answers 503 (fail closed) within the timeout when Redis stalls, and runs nothing', async () => {
    const runs = app.runs();
    faulty.proxy().stall();
    const started = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        rawRequest(`${app.url}/payments`, { 'idempotency-key': `"stalled-${i}"` }, 'POST').then((value) => ({
          value,
          elapsed: Date.now() - started,
        })),
      ),
    );
    for (const reply of expectAnsweredWithin(replies, 200 + 1_000, [503])) expectProblem503(reply);
    expect(app.runs()).toBe(runs);
  });

  it('serves again once Redis is back', async () => {
    faulty.proxy().stall();
    expect((await pay(app, '"during"')).status).toBe(503);
    faulty.proxy().pass();
    await eventually(async () => {
      const reply = await pay(app, '"after"');
      if (reply.status !== 201) throw new Error(`got ${reply.status}`);
    });
  });

  it('stalled, then restarted: the outage answers 503 within the deadline and runs nothing; afterwards the same key runs once, then replays', async () => {
    const key = `"failover-${framework}"`;
    const runs = app.runs();
    faulty.proxy().stall();
    const started = Date.now();
    const during = await Promise.all(
      Array.from({ length: 3 }, () =>
        rawRequest(`${app.url}/payments`, { 'idempotency-key': key }, 'POST').then((value) => ({
          value,
          elapsed: Date.now() - started,
        })),
      ),
    );
    for (const reply of expectAnsweredWithin(during, 200 + 1_000, [503])) expectProblem503(reply);
    // The server dies and comes back empty while the proxy still stalls, then traffic flows.
    await faulty.server().restart();
    expect((await pay(app, key)).status).toBe(503);
    faulty.proxy().pass();
    await waitFor(() => proxied.status === 'ready', 10_000);
    await eventually(async () => {
      const reply = await pay(app, key);
      if (reply.status !== 201) throw new Error(`got ${reply.status}`);
    });
    expect(app.runs()).toBe(runs + 1);
    const replays = await Promise.all([pay(app, key), pay(app, key)]);
    for (const replay of replays) {
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(app.runs()).toBe(runs + 1);
  });

  it('after a restart that emptied Redis (and its script cache), the first retry runs the handler again', async () => {
    const key = `"restart-${framework}"`;
    expect((await pay(app, key)).status).toBe(201);
    expect((await pay(app, key)).headers.get('idempotent-replayed')).toBe('true');
    await faulty.server().restart();
    await waitFor(() => proxied.status === 'ready', 10_000);
    const runs = app.runs();
    // Records lived in Redis only: the key is new again (Redis without persistence).
    await eventually(async () => {
      const reply = await pay(app, key);
      if (reply.status !== 201) throw new Error(`got ${reply.status}`);
    });
    expect(app.runs()).toBe(runs + 1);
    expect((await pay(app, key)).headers.get('idempotent-replayed')).toBe('true');
  });
});
