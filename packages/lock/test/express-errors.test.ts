import {
  buildExpressApp,
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  listenExpress,
  useCleanup,
  useFaultyRedis,
  useUnhandledRejections,
  waitFor,
} from '@rediware/testing';
import type { NextFunction, Request, Response } from 'express';
import { createLocker, type LockBusyError } from '../src';
import { type LockGuardOptions, lockGuard } from '../src/express';
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
async function serve(options: Partial<LockGuardOptions>): Promise<string> {
  const guard = lockGuard({ redis, key: (req) => `order:${req.params.id}`, ttl: '30s', ...options });
  const app = await listenExpress(
    buildExpressApp((express) => {
      express.get('/orders/:id', guard, (_req, res) => void res.json({ ran: true }));
      express.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).json({ handled: error.message });
      });
    }),
  );
  defer(() => guard.close());
  defer(() => app.close());
  return app.url;
}

const fails = {
  throws: (): never => {
    throw new Error('callback failed');
  },
  rejects: (): Promise<never> => Promise.reject(new Error('callback failed')),
};

describe('express lockGuard: errors of its callbacks', () => {
  afterEach(() => expect(unhandled()).toEqual([]));

  it.each([
    ['key', 'throws'],
    ['key', 'rejects'],
    ['ttl', 'throws'],
    ['ttl', 'rejects'],
    ['wait', 'throws'],
    ['wait', 'rejects'],
  ] as const)('passes an error of %s that %s to next(err), and locks nothing', async (option, how) => {
    const url = await serve({ [option]: fails[how] });
    const reply = await get(`${url}/orders/1`);
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({ handled: 'callback failed' });
    const locker = createLocker({ redis });
    defer(() => locker.close());
    await (await locker.acquire('order:1', { ttl: '1s' })).release();
  });

  it('handles a rejected key when ttl then throws: one error to next(err), no unhandled rejection', async () => {
    const url = await serve({ key: fails.rejects, ttl: fails.throws });
    const reply = await get(`${url}/orders/1`);
    expect(reply.status).toBe(500);
    // Unhandled rejections are reported a turn or two after they happen.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('passes a bad duration from a ttl function to next(err)', async () => {
    const url = await serve({ ttl: () => 'soon' as never });
    const reply = await get(`${url}/orders/1`);
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body).handled).toMatch(/`ttl`/);
  });
});

describe('express lockGuard with a locker from another copy of the package', () => {
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
    const url = await serve({ locker });
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
    const url = await serve({ locker });
    faulty.proxy().refuse();
    await waitFor(() => proxied.status !== 'ready');
    const refused = await get(`${url}/orders/1`);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.body).type).toContain('ERR_RW_REDIS_');
  });
});
