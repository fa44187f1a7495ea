import type { Duration } from '@rediware/core';
import {
  buildFastifyApp,
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type ListeningApp,
  listenFastify,
  type RedisServer,
  startRedis,
  useCleanup,
  useUnhandledRejections,
} from '@rediware/testing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createLocker, LockBusyError } from '../src';
import lockPlugin from '../src/fastify';
import { gate, get, getThenAbort } from './http';

let server: RedisServer;
let redis: IoredisClient;
const defer = useCleanup();
const unhandled = useUnhandledRejections();

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server?.stop();
});
beforeEach(() => redis.flushall());
afterEach(() => expect(unhandled()).toEqual([]));

/** One account; each request is a payment of 100 that reads the balance, waits for its gate, writes. */
interface Bank {
  url: string;
  balance: number;
  /** How many requests entered the handler. */
  entries: number;
  /** Opens when the nth request has read the balance. */
  entered: Array<ReturnType<typeof gate<void>>>;
  /** The nth request writes once its gate opens; the test opens them. */
  proceed: Array<ReturnType<typeof gate<void>>>;
  /** Opens when the nth request's response closed (the client left or the answer went out). */
  closed: Array<ReturnType<typeof gate<void>>>;
  /** The nth request's lock signal when it wrote: why it aborted, if it did. */
  reasons: unknown[];
}

type Respond = 'json' | 'nothing' | 'callback' | 'never';

/**
 * `respond`: 'json' returns the balance; 'nothing' returns undefined once its client left (the
 * handler's promise settles and nothing is sent); 'callback' is a handler that returns no promise
 * and sends with `reply.send()` later; 'never' never settles.
 */
async function startBank(options: { ttl?: Duration; wait?: Duration; respond?: Respond } = {}) {
  const bank: Bank = {
    url: '',
    balance: 1000,
    entries: 0,
    entered: [gate(), gate(), gate()],
    proceed: [gate(), gate(), gate()],
    closed: [gate(), gate(), gate()],
    reasons: [],
  };
  const pay = async (request: FastifyRequest, reply: FastifyReply) => {
    const n = bank.entries++;
    reply.raw.once('close', () => bank.closed[n]?.open());
    const read = bank.balance;
    bank.entered[n]?.open();
    await bank.proceed[n]?.promise;
    const signal = request.lock?.signal;
    bank.reasons[n] = signal?.aborted ? signal.reason : undefined;
    bank.balance = read - 100;
    if (options.respond === 'never') await new Promise(() => {});
    if (options.respond === 'nothing' && signal?.aborted) return undefined;
    return { balance: bank.balance };
  };
  const fastify = await buildFastifyApp(async (instance) => {
    await instance.register(lockPlugin, { redis });
    instance.get<{ Params: { id: string } }>(
      '/pay/:id',
      {
        config: {
          lock: {
            key: (request) => `account:${(request.params as { id: string }).id}`,
            ttl: options.ttl ?? '30s',
            wait: options.wait ?? 0,
          },
        },
      },
      options.respond === 'callback'
        ? (request, reply) => {
            void pay(request, reply).then((body) => reply.send(body));
          }
        : pay,
    );
  });
  const app: ListeningApp = await listenFastify(fastify);
  defer(() => app.close());
  bank.url = app.url;
  return { bank, locker: fastify.locker };
}

describe('fastify lock plugin when the client disconnects mid-handler', () => {
  it.each<Respond>(['json', 'nothing', 'callback'])(
    'holds the lock until the handler finished (%s): no second payment reads the old balance',
    async (respond) => {
      const { bank } = await startBank({ respond });
      await getThenAbort(`${bank.url}/pay/1`, bank.entered[0]?.promise as Promise<void>);
      await bank.closed[0]?.promise;
      // A left; its handler still runs: B is refused, not let in to read 1000.
      bank.proceed[1]?.open();
      const busy = await get(`${bank.url}/pay/1`);
      expect(busy.status).toBe(409);
      expect(busy.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      bank.proceed[0]?.open();
      // The handler told of the disconnect, holding the lock all along.
      await waitForValue(() => bank.reasons[0]);
      expect(bank.reasons[0]).toMatchObject({ code: 'ERR_RW_LOCK_CLIENT_GONE' });
      expect(bank.balance).toBe(900);
      // A's handler finished (its promise settled): released; B now enters and sees 900.
      const paid = await eventuallyOk(() => get(`${bank.url}/pay/1`));
      expect(JSON.parse(paid.body)).toEqual({ balance: 800 });
    },
  );

  it('lets a waiting request in only once the handler of the client that left has finished', async () => {
    const { bank } = await startBank({ wait: '10s' });
    await getThenAbort(`${bank.url}/pay/1`, bank.entered[0]?.promise as Promise<void>);
    await bank.closed[0]?.promise;
    bank.proceed[1]?.open();
    const second = get(`${bank.url}/pay/1`);
    // B waits for the lock: it has not entered while A's handler runs.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bank.entries).toBe(1);
    bank.proceed[0]?.open();
    const paid = await second;
    expect(paid.status).toBe(200);
    expect(JSON.parse(paid.body)).toEqual({ balance: 800 });
  });

  it('releases at the ttl when the handler never settles after its client left', async () => {
    const ttl = 1_000;
    const { bank, locker: guarded } = await startBank({ ttl, respond: 'never' });
    await getThenAbort(`${bank.url}/pay/1`, bank.entered[0]?.promise as Promise<void>);
    await bank.closed[0]?.promise;
    bank.proceed[0]?.open();
    await waitForValue(() => bank.reasons[0]);
    const locker = createLocker({ redis });
    defer(() => locker.close());
    await expect(locker.acquire('account:1', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    // Auto-extension stopped when the client left: the lock ends at its ttl, not later.
    const started = Date.now();
    const next = await locker.acquire('account:1', { ttl: '1s', wait: '10s' });
    expect(Date.now() - started).toBeLessThan(ttl + 1_000);
    await next.release();
    expect(guarded.metrics().lost).toBe(1);
  });
});

async function waitForValue(read: () => unknown): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (read() === undefined) {
    if (Date.now() > deadline) throw new Error('waitForValue: no value in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Retries while busy: the release after the handler ended its response is on its way. */
async function eventuallyOk(request: () => Promise<{ status: number; body: string }>) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const reply = await request();
    if (reply.status !== 409 || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
