import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceTree } from '@rediware/testing';

const src = join(__dirname, '../src');

const { files, importsOf, localImports, cycles } = sourceTree(src);
const adapters = ['express.ts', 'fastify.ts'];
const dataCache = files.filter((file) => /^(engine|write-behind|codec)\//.test(file));

describe('cache layering', () => {
  it('sorts the package into the engine, write-behind and the response cache', () => {
    for (const file of files)
      expect(file).toMatch(
        /^(index\.ts|express\.ts|fastify\.ts|codec\/.+|engine\/.+|write-behind\/.+|http\/.+)$/,
      );
  });

  // One way: engine -> write-behind -> codec. The engine runs the queue; the queue carries encoded
  // values and decodes them for `flush`, so it knows the codec and nothing of the engine.
  it.each(files.filter((file) => file.startsWith('codec/')))(
    '%s (value codec) imports no other folder',
    (file) => {
      for (const target of localImports(file)) expect(target).toMatch(/^codec\//);
    },
  );

  it.each(files.filter((file) => file.startsWith('write-behind/')))(
    '%s (write-behind) imports only itself and the value codec, never the engine',
    (file) => {
      for (const target of localImports(file)) expect(target).toMatch(/^(write-behind|codec)\//);
    },
  );

  it.each(dataCache)('%s (data cache) never imports the response cache nor a framework', (file) => {
    for (const target of localImports(file)) {
      expect(target).not.toMatch(/^http\//);
      expect(adapters).not.toContain(target);
    }
    for (const { specifier } of importsOf(file))
      expect(specifier).not.toMatch(/^(express|fastify|fastify-plugin|@fastify\/)/);
  });

  it.each(dataCache.filter((file) => file !== 'engine/cache.ts'))(
    '%s works on the state it is handed, never through the public cache object',
    (file) => {
      expect(localImports(file)).not.toContain('engine/cache.ts');
      const builds = /new CacheState\(/.test(readFileSync(join(src, file), 'utf8'));
      expect(builds).toBe(false);
    },
  );

  it.each(files)('%s stays under 400 lines', (file) => {
    expect(readFileSync(join(src, file), 'utf8').split('\n').length).toBeLessThanOrEqual(400);
  });

  it.each(adapters)('%s (adapter) stays thin: under 130 lines', (file) => {
    expect(readFileSync(join(src, file), 'utf8').split('\n').length).toBeLessThanOrEqual(130);
  });

  it.each(files.filter((file) => /^http\/(node|express|fastify)\//.test(file)))(
    '%s (framework plumbing) never imports the decision flow (http/response-cache.ts)',
    (file) => {
      for (const target of localImports(file)) expect(target).not.toBe('http/response-cache.ts');
    },
  );

  it.each(files.filter((file) => file.startsWith('http/') && file !== 'http/engine-port.ts'))(
    '%s (response cache) reaches the engine only through http/engine-port.ts',
    (file) => {
      for (const target of localImports(file)) expect(target).not.toMatch(/^(engine|write-behind|codec)\//);
    },
  );

  it.each(files)('%s imports no Redis client at run time', (file) => {
    for (const { typeOnly, specifier } of importsOf(file))
      if (!typeOnly) expect(specifier).not.toMatch(/^(redis|ioredis|@redis\/)/);
  });

  it.each(adapters)('%s (adapter) holds no script and no Redis command', (file) => {
    const source = readFileSync(join(src, file), 'utf8');
    expect(source).not.toMatch(/defineScript|redis\.call|-script'/);
    for (const target of localImports(file)) expect(target).not.toMatch(/^(engine|write-behind|codec)\//);
  });

  it('has no import cycle, type imports included', () => {
    const graph = new Map(files.map((file) => [file, localImports(file)]));
    for (const targets of graph.values()) for (const target of targets) expect(files).toContain(target);
    expect(cycles()).toEqual([]);
  });

  it('never sends KEYS', () => {
    for (const file of files) expect(readFileSync(join(src, file), 'utf8')).not.toMatch(/['"]KEYS['"]/);
  });
});
