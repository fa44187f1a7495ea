import rediwareIdempotency from '@rediware/idempotency/fastify';
import { fastifyServer } from './fastify-server';
import { mainPath, payload } from './routes';

// As in idempotency-express.ts: `first` keys every request apart (a counter as its scope), `replay`
// replays the response the warm-up stored.

function idempotentServer(kind: 'first' | 'replay') {
  return fastifyServer(async (app, redis) => {
    let next = 0;
    await app.register(rediwareIdempotency, { redis });
    app.post(
      mainPath,
      { config: { idempotency: kind === 'first' ? { scope: () => `req:${++next}` } : {} } },
      async () => payload,
    );
  });
}

export const fastifyIdempotencyFirst = idempotentServer('first');
export const fastifyIdempotencyReplay = idempotentServer('replay');
