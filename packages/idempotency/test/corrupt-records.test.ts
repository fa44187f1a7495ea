import { type Backend, createBackend, MemoryBackend } from '@rediware/core';
import {
  connectIoredis,
  type IoredisClient,
  onOwner,
  type RedisServer,
  type RedisTarget,
  startRedis,
  useRedisTargets,
} from '@rediware/testing';
import type { CorruptRecordEvent } from '../src';
import { beginScript } from '../src/begin-script';
import { createRecordKeys } from '../src/record-keys';
import { type Framework, type PaymentApp, pay, startPaymentApp } from './payment-app';

// Records written behind the store's back: a key of another Redis type, a hash of the wrong
// shape, headers that are no JSON object of header fields (garbage bytes, `__proto__`, a CR LF).
// None may give a 500, a 503, a 409 forever, a hang or a crash: the request takes the key over as
// if there had been no record (the handler runs once, its response is stored over the corrupt
// one and replayed), the store emits `corrupt`, and no `failure` (Redis worked).

const prefix = 'rwcorrupt:';
const keys = createRecordKeys(prefix);

/** Damage done to a record key with raw commands (given the key), as Redis would hold it. */
type Damage = Array<Array<string | number>>;
const replaceWith =
  (...commands: Damage) =>
  (key: string): Damage => [
    ['DEL', key],
    ...commands.map((command) => command.map((a) => (a === '$' ? key : a))),
  ];

/** Damage on a completed record: its fields changed (or deleted) in place. */
const doneRecordWith = (field: string, value: string | null) => (key: string) =>
  value === null ? [['HDEL', key, field]] : [['HSET', key, field, value]];

const typeCases: Array<[string, (key: string) => Damage]> = [
  ['a string', replaceWith(['SET', '$', 'garbage'])],
  ['a list', replaceWith(['RPUSH', '$', 'done', '201'])],
  ['a set', replaceWith(['SADD', '$', 's'])],
  ['a sorted set', replaceWith(['ZADD', '$', 1, 's'])],
  ['a stream', replaceWith(['XADD', '$', '*', 's', 'done'])],
];

const shapeCases: Array<[string, (key: string) => Damage]> = [
  ['a hash without a state', replaceWith(['HSET', '$', 'x', '1'], ['PEXPIRE', '$', 60_000])],
  ['an unknown state', doneRecordWith('s', 'paid')],
  ['garbage bytes as the state', doneRecordWith('s', '\u00ff\u00fe\u0000')],
  ['no fingerprint', doneRecordWith('fp', null)],
  ['an in-flight marker that never expires', replaceWith(['HSET', '$', 's', 'running', 'fp', 'x', 'o', 'y'])],
  ['a status that is no number', doneRecordWith('st', 'abc')],
  ['a status out of range', doneRecordWith('st', '999')],
  ['a 1xx status', doneRecordWith('st', '101')],
  ['no status', doneRecordWith('st', null)],
  ['no headers', doneRecordWith('h', null)],
  ['no body', doneRecordWith('b', null)],
];

const headerCases: Array<[string, (key: string) => Damage]> = [
  ['headers that are garbage bytes', doneRecordWith('h', '\u00ff\u00fe{')],
  ['headers that are truncated JSON', doneRecordWith('h', '{"location":')],
  ['headers that are a JSON array', doneRecordWith('h', '[["location","/x"]]')],
  ['headers that are JSON null', doneRecordWith('h', 'null')],
  ['a __proto__ header', doneRecordWith('h', '{"__proto__":["x"],"location":"/x"}')],
  ['a header value that is an object', doneRecordWith('h', '{"location":{"href":"/x"}}')],
  ['a header value that is a number', doneRecordWith('h', '{"x-count":5}')],
  ['an empty header value list', doneRecordWith('h', '{"vary":[]}')],
  ['a header name with a space', doneRecordWith('h', '{"bad name":"x"}')],
  ['a header value with CR LF', doneRecordWith('h', '{"location":"/x\\r\\nset-cookie: a=1"}')],
  ['a header value past latin-1', doneRecordWith('h', '{"location":"/\u0100"}')],
];

describe('corrupt records: the begin script and its memory twin', () => {
  describe.each(useRedisTargets(['memory', 'ioredis', 'node-redis-cluster']))(
    'on $name',
    (target: RedisTarget) => {
      let backend: Backend;
      const { record, slotFence } = keys('', 'k');
      const begin = (corruptHeaders?: string) =>
        backend.run(
          beginScript,
          [record, slotFence],
          corruptHeaders === undefined ? ['fp', 'me', 60_000] : ['fp', 'me', 60_000, corruptHeaders],
          // Two hash tags of one slot, as the engine runs it (record-keys.ts).
          { batch: true },
        );

      beforeEach(async () => {
        await target.flush();
        backend = createBackend({
          redis: target.client(),
          timeout: '2s',
          packageName: '@rediware/idempotency',
        });
      });
      afterEach(() => backend.close());

      /** Puts `value` under `key`: raw commands on Redis, the twin value on memory. */
      async function put(key: string, commands: Damage, twin: unknown, ttl?: number): Promise<void> {
        if (backend instanceof MemoryBackend) backend.store.set(key, twin as object, ttl);
        else for (const command of commands) await onOwner(target, key, command);
      }

      const done = {
        state: 'done',
        fingerprint: 'fp',
        status: '201',
        headers: '{}',
        body: Buffer.from('ok'),
      };
      it.each<[string, Damage, unknown, string]>([
        ['a string', [['SET', record, 'x']], 'x', 'the key holds a string, not a hash'],
        ['a list', [['RPUSH', record, 'x']], ['x'], 'the key holds a list, not a hash'],
        [
          'an unknown state',
          [['HSET', record, 's', 'paid', 'fp', 'fp']],
          { ...done, state: 'paid' },
          'its state is neither running nor done',
        ],
        ['no fingerprint', [['HSET', record, 's', 'done']], { state: 'done' }, 'it has no fingerprint'],
        [
          'a marker that never expires',
          [['HSET', record, 's', 'running', 'fp', 'fp', 'o', 'x', 'f', 1]],
          { state: 'running', fingerprint: 'fp', owner: 'x', fencingToken: 1 },
          'its in-flight marker never expires',
        ],
        [
          'a status that is no status',
          [['HSET', record, 's', 'done', 'fp', 'fp', 'st', '2000', 'h', '{}', 'b', 'ok']],
          { ...done, status: '2000' },
          'its status is no HTTP status',
        ],
        [
          'no body',
          [['HSET', record, 's', 'done', 'fp', 'fp', 'st', '201', 'h', '{}']],
          { ...done, body: undefined },
          'it has no body',
        ],
      ])('%s: taken over in the script, with the reason', async (_name, commands, twin, reason) => {
        await put(record, commands, twin);
        const reply = (await begin()).map(String);
        expect(reply).toEqual(['run', expect.stringMatching(/^\d+$/), reason]);
        // Now a marker of this request: the next look is busy, not another take-over.
        expect((await begin()).map(String)[0]).toBe('busy');
      });

      it('a done record is taken over for its headers only while it still holds the headers found corrupt', async () => {
        await put(
          record,
          [
            ['HSET', record, 's', 'done', 'fp', 'fp', 'st', '201', 'h', '[1]', 'b', 'ok'],
            ['PEXPIRE', record, 60_000],
          ],
          { ...done, headers: '[1]' },
          60_000,
        );
        expect((await begin()).map(String)).toEqual(['done', '201', '[1]', 'ok']);
        expect((await begin('[2]')).map(String)).toEqual(['done', '201', '[1]', 'ok']);
        expect((await begin('[1]')).map(String)).toEqual([
          'run',
          expect.stringMatching(/^\d+$/),
          'its headers are no JSON object of header fields',
        ]);
      });

      it('a slot fence of another type restarts from the clock, as a lost one does', async () => {
        await put(
          slotFence,
          [
            ['DEL', slotFence],
            ['RPUSH', slotFence, 'x'],
          ],
          ['x'],
        );
        const reply = (await begin()).map(String);
        expect(reply).toEqual(['run', expect.stringMatching(/^\d+$/)]);
        expect(Number(reply[1])).toBeGreaterThan(Date.now() * 1000 - 60_000_000);
      });
    },
  );
});

describe.each<Framework>(['express', 'fastify'])('corrupt records on %s', (framework) => {
  let server: RedisServer;
  let redis: IoredisClient;
  let app: PaymentApp;
  const corrupt: CorruptRecordEvent[] = [];
  const failures: unknown[] = [];

  beforeAll(async () => {
    server = await startRedis();
    redis = await connectIoredis(server.url);
    app = await startPaymentApp(framework, { redis, prefix, timeout: '2s' });
    app.store.on('corrupt', (event) => corrupt.push(event));
    app.store.on('failure', (event) => failures.push(event));
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await server?.stop();
  });

  let n = 0;
  it.each([...typeCases, ...shapeCases, ...headerCases])(
    '%s: the handler runs once, its response is replayed, a corrupt event',
    async (_name, damage) => {
      const key = `${framework}-${n++}`;
      const header = `"${key}"`;
      const first = await pay(app, header);
      expect(first.status).toBe(201);
      const firstBody = (await first.json()) as { id: string };
      for (const command of damage(keys('', key).record))
        await redis.call(...(command as [string, ...string[]]));
      const runs = app.runs();
      corrupt.length = 0;

      const taken = await pay(app, header);
      expect(taken.status).toBe(201);
      expect(taken.headers.get('idempotent-replayed')).toBeNull();
      const takenBody = (await taken.json()) as { id: string };
      expect(takenBody.id).not.toBe(firstBody.id);
      expect(app.runs()).toBe(runs + 1);
      expect(corrupt).toEqual([
        {
          scope: '',
          key,
          error: expect.objectContaining({ code: 'ERR_RW_IDEMPOTENCY_CORRUPT', message: expect.any(String) }),
        },
      ]);

      const replay = await pay(app, header);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(takenBody);
      expect(app.runs()).toBe(runs + 1);
      expect(failures).toEqual([]);
    },
  );

  it('a hash of another request that is corrupt is taken over too, not answered 422', async () => {
    const key = `${framework}-foreign`;
    await redis.hset(keys('', key).record, { s: 'done', fp: 'another request', st: 'x' });
    const reply = await pay(app, `"${key}"`);
    expect(reply.status).toBe(201);
  });
});
