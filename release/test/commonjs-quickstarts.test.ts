import { asCommonJsApp } from '../src/commonjs-quickstarts';
import { localizeQuickStart } from '../src/run-quickstart';

test('a quick start made a CommonJS app keeps imports and declarations on top and awaits in main()', () => {
  const app = asCommonJsApp(
    [
      "import express from 'express';",
      "import { createClient } from 'redis';",
      'declare function currentUser(req: express.Request): string;',
      'const redis = createClient();',
      'await redis.connect();',
      "declare module 'express-session' {",
      '  interface SessionData {',
      '    userId?: string;',
      '  }',
      '}',
      'app.listen(3000);',
    ].join('\n'),
  );
  const [top = '', main = ''] = app.split('async function main(): Promise<void> {');
  expect(top).toContain("import express from 'express';");
  expect(top).toContain('declare function currentUser');
  expect(top).toContain("declare module 'express-session' {\n  interface SessionData {");
  expect(top).not.toContain('await');
  expect(main).toContain('const redis = createClient();\nawait redis.connect();');
  expect(main).toContain('app.listen(3000);');
  expect(main).not.toContain('declare');
  expect(app).toMatch(/main\(\)\.catch/);
});

test("the CommonJS output's client calls connect to REDIS_URL, as the ES module's do", () => {
  const commonJs = [
    'const redis = (0, redis_1.createClient)();',
    'const other = new ioredis_1.Redis();',
    'app.listen(3000);',
  ].join('\n');
  expect(localizeQuickStart(commonJs, 4567)).toBe(
    [
      'const redis = (0, redis_1.createClient)({ url: process.env.REDIS_URL });',
      'const other = new ioredis_1.Redis(process.env.REDIS_URL);',
      'app.listen(4567);',
    ].join('\n'),
  );
});
