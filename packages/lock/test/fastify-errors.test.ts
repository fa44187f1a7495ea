import {
  buildFastifyApp,
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  listenFastify,
  useCleanup,
  useFaultyRedis,
  useUnhandledRejections,
  waitFor,
} from '@rediware/testing';
import type { FastifyRequest } from 'fastify';
import { createLocker, type LockBusyError, type Locker } from '../src';
import lockPlugin from '../src/fastify';
import type { GuardRouteOptions } from '../src/options';
import { get } from './http';

const faulty = useFaultyRedis();
const defer = useCleanup();
const unhandled = useUnhandledRejections();
let redis: IoredisClient;

beforeAll(async () => {
  redis = await connectIoredis(faulty.server().url);
});
afterAll(() => closeAllClients());
beforeEach(async () => {
  faulty.proxy().pass();
  await redis.flushall();
});

/** GET /orders/:id behind the guard, with an error handler that answers the error's message. */
async function serve(lock: Partial<GuardRouteOptions<FastifyRequest>>, locker?: Locker): Promise<string> {
  const fastify = await buildFastifyApp(async (instance) => {
    await instance.register(lockPlugin, locker === undefined ? { redis } : { locker });
    instance.setErrorHandler((error: Error, _request, reply) => {
      void reply.code(500).send({ handled: error.message });
    });
    instance.get(
      '/orders/:id',
      {
        config: {
          lock: { key: (request) => `order:${(request.params as { id: string }).id}`, ttl: '30s', ...lock },
        },
      },
      async () => ({ ran: true }),
    );
  });
  const app = await listenFastify(fastify);
  defer(() => app.close());
  return app.url;
}

const fails = {
  throws: (): never => {
    throw new Error('callback failed');
  },
  rejects: (): Promise<never> => Promise.reject(new Error('callback failed')),
};

describe('fastify lock plugin: errors of its callbacks', () => {
  afterEach(() => expect(unhandled()).toEqual([]));

  it.each([
    ['key', 'throws'],
    ['key', 'rejects'],
    ['ttl', 'throws'],
    ['ttl', 'rejects'],
    ['wait', 'throws'],
    ['wait', 'rejects'],
  ] as const)(
    'passes an error of %s that %s to the error handler, and locks nothing',
    async (option, how) => {
      const url = await serve({ [option]: fails[how] });
      const reply = await get(`${url}/orders/1`);
      expect(reply.status).toBe(500);
      expect(JSON.parse(reply.body)).toEqual({ handled: 'callback failed' });
      const locker = createLocker({ redis });
      defer(() => locker.close());
      await (await locker.acquire('order:1', { ttl: '1s' })).release();
    },
  );

  it('handles a rejected key when ttl then throws: one error to the error handler, no unhandled rejection', async () => {
    const url = await serve({ key: fails.rejects, ttl: fails.throws });
    const reply = await get(`${url}/orders/1`);
    expect(reply.status).toBe(500);
    // Unhandled rejections are reported a turn or two after they happen.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('passes a bad duration from a ttl function to the error handler', async () => {
    const url = await serve({ ttl: () => 'soon' as never });
    const reply = await get(`${url}/orders/1`);
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body).handled).toMatch(/`ttl`/);
  });
});

describe('fastify lock plugin with a locker from another copy of the package', () => {
  // What the CommonJS and ESM builds amount to: the same classes, loaded twice.
  let copy: typeof import('../src');
  jest.isolateModules(() => {
    copy = require('../src');
  });

  it('loads a second copy of the error classes', () => {
    expect(copy.LockBusyError).not.toBe(
      (require('../src') as { LockBusyError: typeof LockBusyError }).LockBusyError,
    );
  });

  it('answers a busy key with 409 problem+json and Retry-After', async () => {
    const locker = copy.createLocker({ redis });
    defer(() => locker.close());
    const url = await serve({}, locker);
    const held = await locker.acquire('order:1', { ttl: '20s' });
    defer(() => held.release());
    const busy = await get(`${url}/orders/1`);
    expect(busy.status).toBe(409);
    expect(busy.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(10);
    expect(JSON.parse(busy.body)).toMatchObject({ title: 'LockBusyError', status: 409 });
  });

  it('answers 503 problem+json when its Redis is unreachable', async () => {
    const proxied = await connectIoredis(faulty.proxy().url);
    const locker = copy.createLocker({ redis: proxied, timeout: 300 });
    defer(() => locker.close());
    const url = await serve({}, locker);
    faulty.proxy().refuse();
    await waitFor(() => proxied.status !== 'ready');
    const refused = await get(`${url}/orders/1`);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.body).type).toContain('ERR_RW_REDIS_');
  });
});
