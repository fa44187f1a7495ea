import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisTarget, useCleanup, useRedisTargets, waitFor } from '@rediware/testing';
import { type Flight, openFlight } from '../../src/http/engine-flight';
import { createResponseEngine, type LoadContext, type ResponseEngine } from '../../src/http/engine-port';

/*
 * The response cache's one bridge from the engine's loader callback to an object the request
 * holds: the request the engine elects gets a 'loading' flight and settles it with the handler's
 * response; every other request gets the engine's answer.
 */
describe.each(useRedisTargets(['memory', 'node-redis']))('openFlight on $name', (target: RedisTarget) => {
  const defer = useCleanup();
  beforeEach(() => target.flush());

  function engineOf(): ResponseEngine {
    const redis = target.client();
    const engine = createResponseEngine({ ...(redis === undefined ? {} : { redis }), ttl: 1000 });
    defer(() => engine.close());
    return engine;
  }

  const noRefresh = async (): Promise<Buffer> => {
    throw new Error('no background refresh expected');
  };

  function loading(flight: Flight) {
    if (flight.kind !== 'loading') throw new Error(`expected a loading flight, got ${flight.kind}`);
    return flight;
  }

  it('elects one request to load; a request that joins gets its value once settled, later ones a hit', async () => {
    const engine = engineOf();
    const first = loading(await openFlight(engine, 'k', [], noRefresh));
    let joinedAt: number | undefined;
    const joining = openFlight(engine, 'k', [], noRefresh).then((flight) => {
      joinedAt = Date.now();
      return flight;
    });
    await sleep(50);
    expect(joinedAt).toBeUndefined();
    const settledAt = Date.now();
    const result = await first.settle(Promise.resolve(Buffer.from('v')));
    expect([result?.status, result?.value.toString()]).toEqual(['miss', 'v']);
    const joined = await joining;
    expect(joined.kind).toBe('answered');
    expect(joined.kind === 'answered' && joined.result.value.toString()).toBe('v');
    expect(joinedAt).toBeGreaterThanOrEqual(settledAt);
    const later = await openFlight(engine, 'k', [], noRefresh);
    expect(later.kind === 'answered' && [later.result.status, later.result.value.toString()]).toEqual([
      'hit',
      'v',
    ]);
  });

  it('a load settled with a rejection resolves with undefined and stores nothing: the next request loads', async () => {
    const engine = engineOf();
    const first = loading(await openFlight(engine, 'k', [], noRefresh));
    expect(await first.settle(Promise.reject(new Error('the handler failed')))).toBeUndefined();
    loading(await openFlight(engine, 'k', [], noRefresh));
  });

  it('a stale entry is answered at once and refreshed in the background by `refresh`', async () => {
    const engine = engineOf();
    const first = loading(await openFlight(engine, 'k', [], noRefresh));
    first.context.setOptions({ ttl: 50, staleWhileRevalidate: 60_000, staleIfError: 0, keep: 0, tags: [] });
    await first.settle(Promise.resolve(Buffer.from('old')));
    await sleep(100);
    const refreshed: LoadContext[] = [];
    const refresh = async (context: LoadContext) => {
      refreshed.push(context);
      return Buffer.from('new');
    };
    const stale = await openFlight(engine, 'k', [], refresh);
    expect(stale.kind === 'answered' && [stale.result.status, stale.result.value.toString()]).toEqual([
      'stale',
      'old',
    ]);
    await waitFor(async () => {
      const flight = await openFlight(engine, 'k', [], noRefresh);
      return flight.kind === 'answered' && flight.result.value.toString() === 'new';
    }, 2_000);
    expect(refreshed.map((context) => context.refreshing)).toEqual([true]);
  });
});
