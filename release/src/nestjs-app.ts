/**
 * A NestJS 11 app as `nest new` sets one up (TypeScript emitting CommonJS, decorators with
 * metadata, no esModuleInterop), limited by @rediware/rate-limit on each platform adapter: on
 * Express with `app.use(rateLimit(...))`, on Fastify with `app.register(plugin, ...)`. It sends two
 * requests to each and prints `{ express: [status, status], fastify: [status, status] }`.
 */

/** What the consumer installs besides the tarballs: the Nest packages `nest new` adds, and ioredis. */
export const nestDependencies: Record<string, string> = {
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
  '@nestjs/platform-fastify': '^11.0.0',
  '@types/express': '^5.0.0',
  '@types/node': '^20.19.0',
  ioredis: '^5.11.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.1',
};

/** The compiler options of `nest new`'s tsconfig.json (incremental and source maps left out). */
export const nestTsconfig = {
  compilerOptions: {
    module: 'commonjs',
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    target: 'ES2023',
    outDir: './dist',
    skipLibCheck: true,
    strictNullChecks: true,
    forceConsistentCasingInFileNames: true,
    noImplicitAny: false,
    strictBindCallApply: false,
    noFallthroughCasesInSwitch: false,
  },
  files: ['src/main.ts'],
};

export const nestAppSource = `import 'reflect-metadata';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { rateLimit } from '@rediware/rate-limit/express';
import rateLimitPlugin from '@rediware/rate-limit/fastify';
import { Redis } from 'ioredis';

@Controller()
class HelloController {
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

@Module({ controllers: [HelloController] })
class AppModule {}

async function twoRequests(app: INestApplication): Promise<number[]> {
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()) + '/hello';
  const statuses = [(await fetch(url)).status, (await fetch(url)).status];
  await app.close();
  return statuses;
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const name = 'nest-' + process.pid + '-' + Date.now();

  const onExpress = await NestFactory.create(AppModule, { logger: false });
  onExpress.use(rateLimit({ redis, name: name + '-express', limit: 1, window: '1m' }));
  const express = await twoRequests(onExpress);

  const onFastify = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
    logger: false,
  });
  await onFastify.register(rateLimitPlugin, { redis, name: name + '-fastify', limit: 1, window: '1m' });
  const fastify = await twoRequests(onFastify);

  redis.disconnect();
  console.log(JSON.stringify({ express, fastify }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
