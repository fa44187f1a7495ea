import { setTimeout as sleep } from 'node:timers/promises';
import { type Address, monitor, type RedisTarget, useRedisTargets } from '@rediware/testing';
import { createIdempotency, type Decision, type Flight, type Idempotency } from '../src';
import { beginScript } from '../src/begin-script';

const targets = useRedisTargets(
  process.env.REDIWARE_TARGETS ? undefined : ['memory', 'node-redis', 'ioredis', 'node-redis-cluster'],
);

function flightOf(decision: Decision): Flight {
  if (decision.kind !== 'run') throw new Error(`expected to run, got ${decision.kind}`);
  return decision.flight;
}

describe.each(targets)('idempotency engine on $name', (target: RedisTarget) => {
  let store: Idempotency;
  const request = { scope: 'tenant-1', key: 'k-1', fingerprint: 'POST /pay abc' };

  beforeEach(async () => {
    await target.flush();
    store = createIdempotency({ redis: target.client() as never, lockTtl: 300 });
  });
  afterEach(() => store.close());

  it('takes the marker once; a second begin is busy for about the marker ttl', async () => {
    flightOf(await store.begin(request));
    const busy = await store.begin(request);
    expect(busy).toEqual({ kind: 'busy', retryAfterMs: expect.any(Number) });
    if (busy.kind === 'busy') expect(busy.retryAfterMs).toBeLessThanOrEqual(300);
  });

  it('compares the fingerprint first: another request with the key is a mismatch, running or done', async () => {
    const flight = flightOf(await store.begin(request));
    expect(await store.begin({ ...request, fingerprint: 'other' })).toEqual({ kind: 'mismatch' });
    await flight.complete({ status: 201, headers: {}, body: Buffer.from('ok') }, 60_000);
    expect(await store.begin({ ...request, fingerprint: 'other' })).toEqual({ kind: 'mismatch' });
  });

  it('replays a completed response byte for byte, headers included', async () => {
    const body = Buffer.from([0, 1, 2, 255, 254, 0x22, 0x5c]);
    const flight = flightOf(await store.begin(request));
    expect(
      await flight.complete({ status: 201, headers: { location: '/p/1', vary: ['a', 'b'] }, body }, 60_000),
    ).toBe(true);
    expect(await store.begin(request)).toEqual({
      kind: 'replay',
      response: { status: 201, headers: { location: '/p/1', vary: ['a', 'b'] }, body },
    });
  });

  it('keeps scopes apart', async () => {
    flightOf(await store.begin(request));
    flightOf(await store.begin({ ...request, scope: 'tenant-2' }));
  });

  it('a released key is taken again, with a greater fencing token', async () => {
    const first = flightOf(await store.begin(request));
    await first.release();
    const second = flightOf(await store.begin(request));
    expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
  });

  it('extends the marker while the flight lasts, and lets it expire once it stops', async () => {
    const flight = flightOf(await store.begin(request));
    await sleep(700);
    expect((await store.begin(request)).kind).toBe('busy');
    flight.stopExtending();
    await sleep(400);
    const taken = flightOf(await store.begin(request));
    // The first flight lost its marker: its response is not stored over the new holder's.
    expect(await flight.complete({ status: 201, headers: {}, body: Buffer.alloc(0) }, 60_000)).toBe(false);
    expect(taken.fencingToken).toBeGreaterThan(flight.fencingToken);
  });

  it('keeps fencing tokens growing after Redis lost its data', async () => {
    if (target.name === 'memory') return;
    const before = flightOf(await store.begin(request));
    await target.flush();
    const after = flightOf(await store.begin(request));
    expect(after.fencingToken).toBeGreaterThan(before.fencingToken);
  });

  it('with waitMs, a waiting begin gets the response completed meanwhile', async () => {
    const flight = flightOf(await store.begin(request));
    setTimeout(
      () => void flight.complete({ status: 200, headers: {}, body: Buffer.from('done') }, 60_000),
      100,
    );
    const waited = await store.begin({ ...request, waitMs: 2_000 });
    expect(waited).toMatchObject({ kind: 'replay', response: { status: 200 } });
  });

  it('a stored response expires after its ttl', async () => {
    const flight = flightOf(await store.begin(request));
    await flight.complete({ status: 200, headers: {}, body: Buffer.from('done') }, 200);
    await sleep(300);
    flightOf(await store.begin(request));
  });
});

describe.each(useRedisTargets(['ioredis', 'node-redis']))(
  'a waiting retry on $name',
  (target: RedisTarget) => {
    const request = { scope: 'tenant-1', key: 'k-1', fingerprint: 'POST /pay abc' };

    it('is woken when the first request completes: it looks at the key a few times, not at every pause', async () => {
      await target.flush();
      // Two stores, as two processes: the retry hears of the completion over Redis.
      const first = createIdempotency({ redis: target.client() as never });
      const retry = createIdempotency({ redis: target.client() as never });
      try {
        const flight = flightOf(await first.begin(request));
        let decision: Decision | undefined;
        const seen = await monitor(target.masters()[0] as Address, async () => {
          const waiting = retry.begin({ ...request, waitMs: 10_000 });
          await sleep(1_500);
          await flight.complete({ status: 201, headers: {}, body: Buffer.from('paid') }, 60_000);
          decision = await waiting;
        });
        expect(decision).toMatchObject({ kind: 'replay', response: { status: 201 } });
        // Busy, busy again once subscribed, at most once more in the 1.5 s, then the replay. Polling
        // alone looked 8 times (after 25, 50, 100... 500 ms).
        const looks = seen.sentLines.filter((line) => line.includes(beginScript.sha)).length;
        expect(looks).toBeGreaterThanOrEqual(3);
        expect(looks).toBeLessThanOrEqual(4);
      } finally {
        await Promise.all([first.close(), retry.close()]);
      }
    });
  },
);
