import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedis } from '@rediware/testing';
import { installConsumerAsync } from '../src/install-consumer';
import { testedRange } from '../src/install-lines';
import { type PackedPackage, packPackages, testedPeers } from '../src/pack-packages';
import { runSmoke } from '../src/run-smoke';

// Consumers outside the workspace as the audit made them: a TypeScript app that emits
// CommonJS (moduleResolution node10), and a user who installs only what the README lists.
let packed: PackedPackage[];
let server: RedisServer;
const temporary: string[] = [];

beforeAll(async () => {
  const packDir = mkdtempSync(join(tmpdir(), 'rediware-packs-'));
  temporary.push(packDir);
  packed = packPackages(packDir);
  server = await startRedis();
}, 240_000);

afterAll(async () => {
  await server?.stop();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

test('TypeScript with module commonjs compiles an import of every entry (subpaths too) and runs the rate-limit quick start', async () => {
  const consumer = await installConsumerAsync(packed, {
    ...testedPeers(packed),
    '@fastify/cookie': testedRange(packed, '@fastify/cookie'),
    '@types/node': '^20.19.0',
    '@types/express': testedRange(packed, '@types/express'),
    '@types/express-session': testedRange(packed, '@types/express-session'),
  });
  temporary.push(consumer);
  const entries = [
    '@rediware/rate-limit/express',
    '@rediware/rate-limit/fastify',
    '@rediware/session/express',
    '@rediware/session/fastify',
    '@rediware/cache/express',
    '@rediware/cache/fastify',
    '@rediware/lock/express',
    '@rediware/lock/fastify',
    '@rediware/idempotency/express',
    '@rediware/idempotency/fastify',
    '@rediware/core/prometheus',
    '@rediware/core/opentelemetry',
    '@rediware/core',
    '@rediware/idempotency',
  ];
  const result = await runSmoke(
    consumer,
    'ts-commonjs',
    { entries, frameworks: ['express', 'fastify'] },
    server.url,
  );
  for (const entry of entries)
    expect({ entry, exports: (result.entries[entry] ?? 0) > 0 }).toEqual({ entry, exports: true });
  expect(result.express).toEqual([200, 429]);
  expect(result.fastify).toEqual([200, 429]);
}, 180_000);

test('npm i @rediware/rate-limit fastify ioredis, nothing more: the ./fastify entry loads and limits in ESM and CJS', async () => {
  const consumer = await installConsumerAsync(
    packed,
    { fastify: testedRange(packed, 'fastify'), ioredis: testedRange(packed, 'ioredis') },
    ['@rediware/rate-limit'],
  );
  temporary.push(consumer);
  for (const format of ['esm', 'cjs'] as const) {
    const result = await runSmoke(
      consumer,
      format,
      { entries: ['@rediware/rate-limit/fastify'], frameworks: ['fastify'] },
      server.url,
    );
    expect({ format, fastify: result.fastify }).toEqual({ format, fastify: [200, 429] });
  }
}, 180_000);
