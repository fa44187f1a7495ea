import type { CounterSpec, MetricsSink } from '@rediware/core';
import { type RedisTarget, useRedisTargets } from '@rediware/testing';
import { type Framework, type PaymentApp, pay, startPaymentApp } from './payment-app';

// The counters a dashboard draws: runs, replays, 409s, 422s, corrupt records and Redis failures,
// in `store.metrics()` and in the sink, named rediware_idempotency_<name>_total.

const [target] = useRedisTargets(['ioredis']) as [RedisTarget];

function recordingSink(): { sink: MetricsSink; totals: Map<string, number> } {
  const totals = new Map<string, number>();
  const sink: MetricsSink = {
    counter: (spec: CounterSpec) => ({
      add: (amount: number) =>
        totals.set(
          `rediware_${spec.subsystem}_${spec.name}_total`,
          (totals.get(`rediware_${spec.subsystem}_${spec.name}_total`) ?? 0) + amount,
        ),
    }),
    histogram: () => ({ record: () => {} }),
  };
  return { sink, totals };
}

describe.each<Framework>(['express', 'fastify'])('idempotency metrics on %s', (framework) => {
  let app: PaymentApp;
  let recorded: ReturnType<typeof recordingSink>;

  beforeEach(async () => {
    await target.flush();
    recorded = recordingSink();
    app = await startPaymentApp(framework, { redis: target.client() as never, metrics: recorded.sink });
  });
  afterEach(() => app.close());

  it('counts a run, its replays, a 409 while it runs and a 422, in metrics() and the sink', async () => {
    const held = app.hold();
    const first = pay(app, '"m-1"');
    await held.entered;
    expect((await pay(app, '"m-1"')).status).toBe(409);
    held.release();
    expect((await first).status).toBe(201);
    for (let i = 0; i < 2; i++)
      expect((await pay(app, '"m-1"')).headers.get('idempotent-replayed')).toBe('true');
    expect((await pay(app, '"m-1"', { amount: 99 })).status).toBe(422);
    expect((await pay(app, undefined)).status).toBe(201);
    const expected = { runs: 1, replays: 2, busy: 1, mismatches: 1, corrupt: 0, errors: 0 };
    expect(app.store.metrics()).toEqual(expected);
    for (const [name, value] of Object.entries(expected)) {
      expect(recorded.totals.get(`rediware_idempotency_${name}_total`) ?? 0).toBe(value);
    }
  });
});
