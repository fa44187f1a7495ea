import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from 'jest';

const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  // cookie 2 is ESM-only and light-my-request (Fastify's inject) requires it: Jest on Node 20
  // cannot require ESM, so it is compiled to CommonJS.
  '/cookie/dist/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!(\\.pnpm/cookie@|cookie/))'];

// The client matrix (.ci/run): RW_NODE_REDIS=4|5|6 and RW_IOREDIS=5|6 resolve the tests' `redis`
// and `ioredis` imports (also those of @rediware/testing) to the root aliases redis4, redis6 and
// ioredis6; unset or 5 keeps the workspace's own 5.x. Child processes that tests spawn keep 5.x.
const clientMatrix = [
  { variable: 'RW_NODE_REDIS', module: '^redis$', aliases: { '4': 'redis4/dist', '6': 'redis6/dist' } },
  { variable: 'RW_IOREDIS', module: '^ioredis$', aliases: { '6': 'ioredis6/built' } },
] as const;
const clientMapper: Record<string, string> = {};
for (const { variable, module, aliases } of clientMatrix) {
  const version = process.env[variable] ?? '5';
  if (version === '5' || version === '') continue;
  const alias = (aliases as Record<string, string>)[version];
  if (alias === undefined) throw new Error(`${variable}=${version}: expected 5 or ${Object.keys(aliases)}`);
  clientMapper[module] = `<rootDir>/node_modules/${alias}/index.js`;
}

// Workspace packages resolve to their TypeScript sources, so a test run needs no build.
const moduleNameMapper: Config['moduleNameMapper'] = {
  '^@rediware/([a-z-]+)/(express|fastify|prometheus|opentelemetry)$': '<rootDir>/packages/$1/src/$2.ts',
  '^@rediware/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  ...clientMapper,
};

type Project = Config['projects'] extends (infer P)[] | undefined ? Exclude<P, string> : never;

function project(dir: string): Project {
  return {
    displayName: dir.split('/').pop() ?? dir,
    rootDir: __dirname,
    roots: [`<rootDir>/${dir}`],
    testMatch: ['**/test/**/*.test.ts'],
    testEnvironment: 'node',
    transform,
    transformIgnorePatterns,
    moduleNameMapper,
  };
}

// The peer range says express >=4: each package's Express adapter tests run again on Express 4
// (installed at the root as the `express4` alias), where a middleware's returned promise is ignored.
function onExpress4(dir: string): Project | undefined {
  const tests = join(__dirname, dir, 'test');
  const files = readdirSync(tests, { recursive: true, encoding: 'utf8' });
  if (!files.some((file) => /(^|\/)express[^/]*\.test\.ts$/.test(file))) return undefined;
  const base = project(dir);
  return {
    ...base,
    displayName: `${base.displayName} (express 4)`,
    testMatch: ['**/test/**/express*.test.ts'],
    moduleNameMapper: { '^express$': '<rootDir>/node_modules/express4/index.js', ...moduleNameMapper },
  };
}

const groups = ['packages', 'examples'];
const dirs = groups.flatMap((group) =>
  existsSync(join(__dirname, group))
    ? readdirSync(join(__dirname, group), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(__dirname, group, entry.name, 'test')))
        .map((entry) => `${group}/${entry.name}`)
    : [],
);
// Workspaces of their own at the root: the conformance floor (it runs the built packages), the
// bench's own logic (its load runs are `pnpm bench`, never tests) and the packed tarballs as a
// consumer outside the workspace installs them.
for (const workspace of ['conformance', 'bench', 'release'])
  if (existsSync(join(__dirname, workspace, 'test'))) dirs.push(workspace);

const config: Config = {
  projects: [
    ...dirs.map(project),
    ...dirs
      .filter((dir) => dir.startsWith('packages/'))
      .flatMap((dir) => {
        const express4 = onExpress4(dir);
        return express4 ? [express4] : [];
      }),
  ],
  testTimeout: 30_000,
  // A leaked handle fails the run instead of holding it open until CI's own timeout.
  globalTeardown: '<rootDir>/jest.exit-guard.cjs',
};

export default config;
