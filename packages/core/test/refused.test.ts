import {
  closeClient,
  connectIoredis,
  connectNodeRedis,
  destroyNodeRedis,
  lockDownRedis,
  lockedDown,
  type RedisServer,
  redisCommand,
  startRedis,
  useCleanup,
  useUnhandledRejections,
} from '@rediware/testing';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import {
  type Backend,
  classifyRedisError,
  createBackend,
  createKeyspace,
  defineCommand,
  type FailureEvent,
  isRedisOutage,
  RedisCommandError,
  RedisRefusedError,
  RedisTimeoutError,
  RedisUnavailableError,
  withFailPolicy,
} from '../src';
import { counterScript, setGetScript } from './test-scripts';

const keyspace = createKeyspace('rwtest:', 'refused');
const timeoutMs = 300;
const { password } = lockedDown;
const defer = useCleanup();
const unhandled = useUnhandledRejections();

const hget = defineCommand<string | null>({ name: 'test-hget', command: 'HGET', memory: () => null });
const hset = defineCommand<number>({ name: 'test-hset', command: 'HSET', memory: () => 1 });

let warn: jest.SpiedFunction<typeof process.emitWarning>;
let server: RedisServer;
beforeAll(async () => {
  warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  server = await startRedis();
  await lockDownRedis(server);
});
afterAll(async () => {
  warn.mockRestore();
  await server.stop();
  expect(unhandled()).toEqual([]);
});

const url = (userInfo: string) => `redis://${userInfo}${server.host}:${server.port}`;

/**
 * A backend on a client that may never get ready (Redis refuses it): made before the client
 * connects, as an app does at startup, then connected in the background; closed after the test.
 */
type Connect = (url: string) => Promise<Backend>;

const clients: Record<string, Connect> = {
  'node-redis': async (target) => {
    const client = createClient({ url: target }).on('error', () => {});
    defer(() => destroyNodeRedis(client));
    const backend = backendOn(client);
    const failed = new Promise((resolve) => client.once('error', resolve));
    await Promise.race([client.connect(), failed]);
    return backend;
  },
  ioredis: async (target) => {
    const client = new Redis(target, { disconnectTimeout: 100, lazyConnect: true }).on('error', () => {});
    defer(() => client.disconnect());
    const backend = backendOn(client);
    client.connect().catch(() => {});
    await new Promise((resolve) => client.once('ready', resolve).once('error', resolve));
    return backend;
  },
};

function backendOn(redis: unknown): Backend {
  const backend = createBackend({ redis, packageName: 'core-test', timeout: timeoutMs });
  defer(() => backend.close());
  return backend;
}

/** Runs a counter under a fail policy; the answer, or what it rejected with, and the events. */
async function consumeUnder(backend: Backend, failOpen: boolean | 'always', key = keyspace.key('c', 'n')) {
  const events: FailureEvent[] = [];
  const outcome = await withFailPolicy<[number, number] | 'fallback'>(
    backend.run(counterScript, [key], [1, 60_000]),
    {
      operation: 'consume',
      failOpen,
      fallback: () => 'fallback',
      onFailure: (event) => events.push(event),
    },
  ).catch((error: unknown) => error);
  return { outcome, events };
}

/** Every call is refused with `replyCode`; `true` passes the refusal on, `'always'` fails open. */
async function expectRefused(backend: Backend, replyCode: string, key?: string) {
  for (let i = 0; i < 5; i++) {
    const strict = await consumeUnder(backend, true, key);
    expect(strict.outcome).toBeInstanceOf(RedisRefusedError);
    expect(strict.outcome).toMatchObject({ code: 'ERR_RW_REDIS_REFUSED', statusCode: 500, replyCode });
    expect((strict.outcome as Error).message).toMatch(/configuration problem, not an outage/);
    expect(strict.events).toEqual([{ operation: 'consume', error: strict.outcome, failedOpen: false }]);
    const lax = await consumeUnder(backend, 'always', key);
    expect(lax.outcome).toBe('fallback');
    expect(lax.events).toEqual([
      { operation: 'consume', error: expect.any(RedisRefusedError), failedOpen: true },
    ]);
  }
}

describe.each(Object.entries(clients))('Redis refuses %s', (_, connect) => {
  it('without a password: NOAUTH', async () => {
    await expectRefused(await connect(url('')), 'NOAUTH');
  });

  it('with a wrong password: WRONGPASS', async () => {
    await expectRefused(await connect(url(':wrong@')), 'WRONGPASS');
  });

  it('for an ACL user without EVAL and EVALSHA: NOPERM', async () => {
    await expectRefused(await connect(url(lockedDown.noEvalUser)), 'NOPERM');
  });

  it('on a key of the wrong type: WRONGTYPE, in a script and in a plain command', async () => {
    const backend = await connect(url(`:${password}@`));
    const hash = keyspace.key('type', 'hash');
    await backend.run(hset, [hash], ['field', 'value']);
    await expectRefused(backend, 'WRONGTYPE', hash);
    const text = keyspace.key('type', 'text');
    await backend.run(setGetScript, [text, text], ['a string']);
    const error = await backend.run(hget, [text], ['field']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_RW_REDIS_REFUSED', replyCode: 'WRONGTYPE' });
  });

  it('while Redis is stopped, `failOpen: true` still fails open', async () => {
    const own = await startRedis();
    const backend = await connect(own.url);
    await own.stop();
    const { outcome, events } = await consumeUnder(backend, true);
    expect(outcome).toBe('fallback');
    expect(isRedisOutage(events[0]?.error)).toBe(true);
    expect(events[0]?.failedOpen).toBe(true);
  });
});

describe('Redis out of memory (maxmemory 1mb, noeviction)', () => {
  it.each([
    ['node-redis', connectNodeRedis],
    ['ioredis', connectIoredis],
  ] as const)('%s: a write is refused with OOM', async (_, connect) => {
    const full = await startRedis({ args: ['--maxmemory', '1mb', '--maxmemory-policy', 'noeviction'] });
    defer(() => full.stop());
    const client = await connect(full.url);
    defer(() => closeClient(client));
    // A script may pass maxmemory once it has written: this one leaves Redis full for any write.
    const fill = "for i = 1, 512 do redis.call('SET', 'rwtest:fill:' .. i, string.rep('x', 1024)) end";
    await redisCommand(full, ['EVAL', fill, '0']);
    await expectRefused(backendOn(client), 'OOM');
  });
});

describe('the log, once', () => {
  it('each refusal above, met ten times or more per client, was one process warning', async () => {
    const refusals = warn.mock.calls.filter(
      ([, options]) => (options as { code?: string })?.code === 'RW_REDIS_REFUSED',
    );
    const messages = refusals.map(([message]) => message).sort();
    expect(messages).toEqual([
      expect.stringMatching(/^Redis refused script test-counter \(NOAUTH .*\): .*password/),
      expect.stringMatching(/^Redis refused script test-counter \(NOPERM .*\): .*EVALSHA/),
      expect.stringMatching(/^Redis refused script test-counter \(OOM .*\): .*maxmemory/),
      expect.stringMatching(/^Redis refused script test-counter \(WRONGPASS .*\): .*password/),
      expect.stringMatching(/^Redis refused script test-counter \(WRONGTYPE .*\): .*prefix/),
    ]);
  });
});

describe('classifyRedisError', () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

  it.each([
    'NOAUTH Authentication required.',
    'WRONGPASS invalid username-password pair or user is disabled.',
    "NOPERM this user has no permissions to run the 'evalsha' command",
    'WRONGTYPE Operation against a key holding the wrong kind of value',
    "OOM command not allowed when used memory > 'maxmemory'. script: 9405b0, on @user_script:1.",
    'MISCONF Redis is configured to save RDB snapshots, but it is currently unable to persist to disk.',
    "ERR unknown command 'EVALSHA', with args beginning with: ",
    "ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 42dc45, on @user_script:1.",
    'ERR Error running script (call to f_42dc45): @user_script:1: @user_script: 1: -OOM command not allowed',
    'CROSSSLOT Keys in request do not hash to the same slot',
  ])('a refusal: %s', (message) => {
    const error = classifyRedisError(reply(message), 'script x');
    expect(error).toBeInstanceOf(RedisRefusedError);
    expect(error).toBeInstanceOf(RedisCommandError);
    expect(isRedisOutage(error)).toBe(false);
  });

  it.each([
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.',
    "READONLY You can't write against a read only replica.",
    'MOVED 3999 127.0.0.1:6381',
    'ASK 3999 127.0.0.1:6381',
    'NOREPLICAS Not enough good replicas to write.',
    'ERR max number of clients reached',
    "ERR Error running script (call to f_42dc45): @user_script:1: -READONLY You can't write against a read only replica.",
  ])('an outage: %s', (message) => {
    const error = classifyRedisError(reply(message), 'script x');
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(isRedisOutage(error)).toBe(true);
  });

  it('a connection error or a timeout is an outage; other errors are not', () => {
    expect(isRedisOutage(classifyRedisError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 'x'))).toBe(true);
    expect(isRedisOutage(new RedisTimeoutError('x', 1))).toBe(true);
    expect(isRedisOutage(new TypeError('bug'))).toBe(false);
    expect(isRedisOutage(undefined)).toBe(false);
  });
});
