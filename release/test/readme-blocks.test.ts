import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installLineFor } from '../src/install-lines';
import { publicPackages } from '../src/pack-packages';
import { quickStartRequests } from '../src/quickstart-requests';
import { documentedFiles, readmeBlocks } from '../src/readme-blocks';
import { localizeQuickStart, quickStartFramework } from '../src/run-quickstart';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rediware-readme-blocks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readme(text: string): string {
  const file = join(dir, `README-${Math.random().toString(36).slice(2)}.md`);
  writeFileSync(file, text);
  return file;
}

test('```ts is compiled, ```ts quickstart also run, ```ts fragment and other languages skipped', () => {
  const blocks = readmeBlocks([
    readme(
      [
        '```ts',
        'const a = 1;',
        '```',
        '```ts fragment',
        'app.use(x);',
        '```',
        '  ```ts quickstart',
        '  app.listen(3000);',
        '  ```',
        '```sh',
        'npm i x',
        '```',
      ].join('\n'),
    ),
  ]);
  expect(blocks.map(({ code, quickstart }) => ({ code, quickstart }))).toEqual([
    { code: 'const a = 1;', quickstart: false },
    { code: '  app.listen(3000);', quickstart: true },
  ]);
});

test('a misspelt word after ts is an error, not a block silently compiled and never run', () => {
  expect(() => readmeBlocks([readme('```ts quickstrat\nconst a = 1;\n```\n')])).toThrow(
    /ts quickstrat: unknown quickstrat/,
  );
});

test('the guides of docs/migrating and docs/cache are compiled with the READMEs', () => {
  const compiled = new Set(readmeBlocks(documentedFiles()).map(({ readme: path }) => path));
  for (const guide of [
    'docs/migrating/apicache.md',
    'docs/cache/write-behind.md',
    'docs/cache/http-caching.md',
  ])
    expect(compiled).toContain(guide);
  expect(compiled).toContain('packages/cache/README.md');
});

// Every quickstart block gets requests, and every entry of the table has its block: a quick start
// added, renamed or unmarked is noticed here, without a build. One in a guide fails here too: it
// has no Install line to run under, so quick starts stay in a package README.
test('each quickstart block has its requests in quickstart-requests.ts, and each entry a block', () => {
  const blocks = readmeBlocks(documentedFiles()).filter(({ quickstart }) => quickstart);
  const names = blocks.map(({ readme: path, code }) => `${path} ${quickStartFramework(code)}`);
  expect(names.sort()).toEqual(Object.keys(quickStartRequests).sort());
  for (const { code } of blocks) expect(() => localizeQuickStart(code, 4000)).not.toThrow();
});

// release:check runs each quick start with only its Install line installed; this says which import
// is missing without a build (a node-redis quick start under a line that installs ioredis).
test("a quick start imports only what its README's Install line for that framework installs", () => {
  const readmes = publicPackages().map(({ name, dir: packageDir }) => ({
    name,
    file: join(packageDir, 'README.md'),
  }));
  for (const { name, file } of readmes)
    for (const { where, code } of readmeBlocks([file]).filter(({ quickstart }) => quickstart)) {
      const framework = quickStartFramework(code);
      const install = framework ? installLineFor(name, framework)?.install : undefined;
      const imported = [...code.matchAll(/from '([^'.][^']*)'/g)]
        .map(([, specifier = '']) =>
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        )
        .filter((specifier) => !specifier.startsWith('node:'));
      const missing = imported.filter((imports) => !install?.includes(imports));
      expect({ where, missing }).toEqual({ where, missing: [] });
    }
});

test('a quick start connects to REDIS_URL and listens on the given port, never on the local default', () => {
  const source = ['const redis = createClient();', 'const other = new Redis();', 'app.listen(3000);'].join(
    '\n',
  );
  expect(localizeQuickStart(source, 41234)).toBe(
    [
      'const redis = createClient({ url: process.env.REDIS_URL });',
      'const other = new Redis(process.env.REDIS_URL);',
      'app.listen(41234);',
    ].join('\n'),
  );
  expect(localizeQuickStart('await app.listen({ port: 3000 }); new Redis(process.env.REDIS_URL);', 5)).toBe(
    'await app.listen({ port: 5 }); new Redis(process.env.REDIS_URL);',
  );
  // A client that names a host of its own would not reach the check's redis-server.
  expect(() =>
    localizeQuickStart("createClient({ url: 'redis://localhost:6379' }); app.listen(3000);", 5),
  ).toThrow(/REDIS_URL/);
  expect(() => localizeQuickStart('const redis = createClient();', 5)).toThrow(/listens on port 3000 once/);
});

test('the framework of a quick start is the rediware adapter it imports', () => {
  expect(quickStartFramework("import { rateLimit } from '@rediware/rate-limit/express';")).toBe('express');
  expect(quickStartFramework("import lock from '@rediware/lock/fastify';")).toBe('fastify');
  expect(quickStartFramework("import { createCache } from '@rediware/cache';")).toBeUndefined();
});
