import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectIoredis, startRedis } from '@rediware/testing';
import { startOrigin } from './origin-server';
import { type Framework, type ProxyApp, startExpressProxy, startFastifyProxy } from './proxy-apps';
import { conformanceTable } from './report';
import { publishedResults, type RawResults, type Score, scorer, skippedTests } from './score';

// pnpm conformance [--json file] [express|fastify ...]: the suite's origin, the response cache in
// front of it in each framework, the suite run through each, and the counts beside the
// published results of the caches the suite ships.

function runSuite(baseUrl: string): Promise<RawResults> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'suite-client.mjs'), baseUrl, ...skippedTests],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(output) as RawResults)
        : reject(new Error(`suite client exited ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonIndex = args.indexOf('--json');
  const jsonFile = jsonIndex === -1 ? undefined : args.splice(jsonIndex, 2)[1];
  const frameworks = (args.length > 0 ? args : ['express', 'fastify']) as Framework[];
  const score = await scorer();
  const redisServer = await startRedis();
  const origin = await startOrigin(join(tmpdir(), `rediware-conformance-${process.pid}.pid`));
  const scores: Array<{ framework: Framework; score: Score }> = [];
  try {
    for (const framework of frameworks) {
      const redis = await connectIoredis(redisServer.url);
      const proxy: ProxyApp =
        framework === 'express'
          ? await startExpressProxy(origin.url, redis)
          : await startFastifyProxy(origin.url, redis);
      process.stderr.write(`conformance: ${framework} at ${proxy.url}, origin ${origin.url.href}\n`);
      try {
        scores.push({ framework, score: score(await runSuite(proxy.url)) });
      } finally {
        await proxy.close();
        redis.disconnect();
      }
    }
  } finally {
    origin.stop();
    await redisServer.stop();
  }
  const published = (await publishedResults()).map((entry) => ({ ...entry, score: score(entry.results) }));
  process.stdout.write(`${conformanceTable(scores, published)}\n`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(scores, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
