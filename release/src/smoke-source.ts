/** The module format a consumer's smoke file is written in. */
export type SmokeFormat = 'esm' | 'cjs' | 'ts-commonjs';

export interface SmokeOptions {
  /** Every entry to load (`@rediware/lock/express`...): the smoke prints its number of exports. */
  entries: string[];
  /** The frameworks the consumer installed: a rate limit of 1 per minute is run on each. */
  frameworks: ('express' | 'fastify')[];
}

/**
 * A consumer's smoke file: it loads every entry, runs the rate-limit quick start (ioredis, limit 1)
 * on each framework listed (needs ioredis then) against `REDIS_URL`, and prints one JSON line:
 * `{ entries: { name: exportCount }, express: [200, 429], fastify: [200, 429] }`. The same text
 * is valid JavaScript and strict TypeScript, so the TypeScript consumer compiles what the others run.
 */
export function smokeSource(format: SmokeFormat, { entries, frameworks }: SmokeOptions): string {
  const load = (binding: string, specifier: string, pick: 'namespace' | 'default' | `{ ${string} }`) => {
    if (format === 'cjs') {
      if (pick === 'default')
        return `const ${binding} = require('${specifier}').default ?? require('${specifier}');`;
      return `const ${pick === 'namespace' ? binding : pick} = require('${specifier}');`;
    }
    if (pick === 'namespace') return `import * as ${binding} from '${specifier}';`;
    return `import ${pick === 'default' ? binding : pick} from '${specifier}';`;
  };
  const imports = frameworks.length > 0 ? [load('Redis', 'ioredis', '{ Redis }')] : [];
  const runs: string[] = [];
  if (frameworks.includes('express')) {
    imports.push(
      format === 'cjs' ? `const express = require('express');` : `import express from 'express';`,
      load('expressRateLimit', '@rediware/rate-limit/express', '{ rateLimit }'),
    );
    runs.push(`
  const app = express();
  app.use(rateLimit({ redis, name: name + '-express', limit: 1, window: '1m' }));
  app.get('/', (_req, res) => {
    res.send('ok');
  });
  const listening = app.listen(0);
  await new Promise((resolve) => listening.once('listening', resolve));
  const address = listening.address();
  const url = 'http://127.0.0.1:' + (typeof address === 'object' && address ? address.port : 0) + '/';
  const expressStatuses = [(await fetch(url)).status, (await fetch(url)).status];
  listening.close();`);
  }
  if (frameworks.includes('fastify')) {
    imports.push(
      format === 'cjs' ? `const Fastify = require('fastify');` : `import Fastify from 'fastify';`,
      load('fastifyRateLimit', '@rediware/rate-limit/fastify', 'default'),
    );
    runs.push(`
  const server = Fastify();
  await server.register(fastifyRateLimit, { redis, name: name + '-fastify', limit: 1, window: '1m' });
  server.get('/', async () => 'ok');
  const fastifyStatuses = [(await server.inject('/')).statusCode, (await server.inject('/')).statusCode];
  await server.close();`);
  }
  entries.forEach((entry, index) => {
    imports.push(load(`entry${index}`, entry, 'namespace'));
  });
  const counts = entries.map((entry, index) => `'${entry}': Object.keys(entry${index}).length`);
  return `${imports.join('\n')}

async function main() {
${
  frameworks.length > 0
    ? `  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const name = 'smoke-' + process.pid + '-' + Date.now();
${runs.join('\n')}
  redis.disconnect();`
    : ''
}
  console.log(JSON.stringify({
    entries: { ${counts.join(', ')} },${frameworks.includes('express') ? '\n    express: expressStatuses,' : ''}${frameworks.includes('fastify') ? '\n    fastify: fastifyStatuses,' : ''}
  }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}
