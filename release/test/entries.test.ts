import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RedisServer, startRedis } from '@rediware/testing';
import { installConsumer } from '../src/install-consumer';
import { type PackedPackage, packPackages, testedPeers } from '../src/pack-packages';

const run = promisify(execFile);

// A user meets the packages as tarballs: packed, then installed into a project outside the
// workspace, where `require` and `import` resolve each subpath to its built entry.
let packed: PackedPackage[];
let consumer: string;
let server: RedisServer;
let packDir: string;

beforeAll(async () => {
  packDir = mkdtempSync(join(tmpdir(), 'rediware-packs-'));
  packed = packPackages(packDir);
  consumer = installConsumer(packed, testedPeers(packed));
  server = await startRedis();
}, 240_000);

afterAll(async () => {
  await server?.stop();
  for (const dir of [consumer, packDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `source` as a file of the consumer project (`.cjs` or `.mjs`); resolves to its stdout. */
async function runInConsumer(fileName: string, source: string): Promise<string> {
  writeFileSync(join(consumer, fileName), source);
  const { stdout } = await run(process.execPath, [fileName], {
    cwd: consumer,
    env: { ...process.env, REDIS_URL: server.url },
    timeout: 30_000,
  });
  return stdout;
}

/** The subpaths a package exports, from its own manifest: `@rediware/lock`, `@rediware/lock/express`... */
function entriesOf(pkg: PackedPackage): string[] {
  const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(manifest.exports)
    .filter((subpath) => !subpath.endsWith('.json'))
    .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
}

test('every entry of every package loads with require (CJS) and import (ESM)', async () => {
  const entries = packed.flatMap(entriesOf);
  expect(entries).toEqual(
    expect.arrayContaining([
      '@rediware/lock',
      '@rediware/lock/express',
      '@rediware/idempotency',
      '@rediware/idempotency/express',
      '@rediware/idempotency/fastify',
    ]),
  );
  const list = JSON.stringify(entries);
  const required = await runInConsumer(
    'load.cjs',
    `for (const entry of ${list}) console.log(entry, Object.keys(require(entry)).length);`,
  );
  const imported = await runInConsumer(
    'load.mjs',
    `for (const entry of ${list}) console.log(entry, Object.keys(await import(entry)).length);`,
  );
  for (const output of [required, imported])
    for (const entry of entries) expect(output).toMatch(new RegExp(`^${entry} [1-9]`, 'm'));
});

test('no class is defined twice in one format of a package: each entry shares one copy', () => {
  for (const pkg of packed) {
    const dist = join(consumer, 'node_modules', ...pkg.name.split('/'), 'dist');
    for (const extension of ['.cjs', '.js']) {
      const definedIn = new Map<string, string[]>();
      for (const file of readdirSync(dist).filter((name) => name.endsWith(extension))) {
        const source = readFileSync(join(dist, file), 'utf8');
        // esbuild writes `var Name = class extends Base {`: the same line in two files is one class
        // bundled twice (two entries may each have their own class of one name, like RedisStore).
        const definitions = source.match(/^(?:var|let|const) [\w$]+ = class\b.*$|^class [\w$]+.*$/gm) ?? [];
        for (const line of new Set(definitions)) definedIn.set(line, [...(definedIn.get(line) ?? []), file]);
      }
      const twice = [...definedIn].filter(([, files]) => files.length > 1);
      expect({ package: pkg.name, extension, twice }).toEqual({ package: pkg.name, extension, twice: [] });
    }
  }
});

// The report: a locker from the main entry, given to the guard of the ./express entry,
// answered a busy key with Express's HTML error page instead of our 409.
const busyGuardApp = (load: (entry: string) => string) => `
${load('ioredis')}
${load('express')}
${load('@rediware/lock')}
${load('@rediware/lock/express')}
const redis = new (ioredis.default ?? ioredis)(process.env.REDIS_URL);
const locker = lock.createLocker({ redis });
const app = (express.default ?? express)();
app.get('/pay/:id', lockExpress.lockGuard({ locker, key: (req) => req.params.id, ttl: '10s' }), (req, res) => res.send('paid'));
const held = await locker.acquire('42', { ttl: '10s' });
const listening = app.listen(0);
await new Promise((resolve) => listening.once('listening', resolve));
const response = await fetch('http://127.0.0.1:' + listening.address().port + '/pay/42');
console.log(JSON.stringify({
  status: response.status,
  type: response.headers.get('content-type'),
  retryAfter: response.headers.get('retry-after'),
  body: await response.json().catch(() => null),
}));
await held.release();
listening.close();
await locker.close?.();
redis.disconnect();
`;

const names: Record<string, string> = {
  ioredis: 'ioredis',
  express: 'express',
  '@rediware/lock': 'lock',
  '@rediware/lock/express': 'lockExpress',
};

test.each([
  ['CommonJS', 'busy.cjs', (entry: string) => `const ${names[entry]} = require('${entry}');`],
  ['ESM', 'busy.mjs', (entry: string) => `const ${names[entry]} = await import('${entry}');`],
])(
  '%s: a locker from the main entry and the guard from ./express answer a busy key 409 problem+json',
  async (_format, file, load) => {
    const source = busyGuardApp(load);
    const wrapped = file.endsWith('.cjs') ? `(async () => {${source}})();` : source;
    const answer = JSON.parse(await runInConsumer(file, wrapped)) as {
      status: number;
      type: string;
      retryAfter: string | null;
      body: { status?: number } | null;
    };
    expect(answer.status).toBe(409);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    expect(answer.body?.status).toBe(409);
  },
);
