import {
  buildExpressApp,
  buildFastifyApp,
  type ListeningApp,
  listenExpress,
  listenFastify,
} from '@rediware/testing';
import express from 'express';
import type { FastifyRequest } from 'fastify';
import type { Idempotency } from '../src';
import { idempotency } from '../src/express';
import idempotencyPlugin from '../src/fastify';
import type { IdempotencyRouteOptions, IdempotencyStoreOptions } from '../src/options';

export type Framework = 'express' | 'fastify';

/** What the test payment handler does, read from the request body. */
export interface PaymentBody {
  amount?: number;
  /** 'fail' answers 500, 'busy' 429, 'throw' throws, 'big' sends 2 KiB; otherwise 201. */
  outcome?: 'ok' | 'fail' | 'busy' | 'throw' | 'big';
}

/** One app with `POST /payments` behind idempotency, and what its handler did. */
export interface PaymentApp extends ListeningApp {
  /** How many times the handler ran. */
  runs(): number;
  /** The store the route uses. */
  store: Idempotency;
  /**
   * Holds every handler until the promise resolves; resolves when the next handler has begun.
   * `release()` lets the held ones finish.
   */
  hold(): { entered: Promise<void>; release(): void };
}

export type PaymentOptions = IdempotencyStoreOptions & IdempotencyRouteOptions<unknown>;

/** The same route in either framework, so one suite checks both. */
export async function startPaymentApp(framework: Framework, options: PaymentOptions): Promise<PaymentApp> {
  let runs = 0;
  let held: Promise<void> | undefined;
  let onEnter: (() => void) | undefined;
  const handle = async (body: PaymentBody, fencingToken: number | undefined) => {
    runs++;
    onEnter?.();
    await held;
    const outcome = body.outcome ?? 'ok';
    if (outcome === 'throw') throw new Error('the payment provider failed');
    const status = outcome === 'fail' ? 500 : outcome === 'busy' ? 429 : 201;
    return {
      status,
      payload: {
        id: `pay_${runs}`,
        amount: body.amount,
        fencingToken,
        pad: outcome === 'big' ? 'x'.repeat(2048) : undefined,
      },
    };
  };
  const hold = () => {
    let release!: () => void;
    held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entered = new Promise<void>((resolve) => {
      onEnter = resolve;
    });
    return { entered, release: () => release() };
  };
  if (framework === 'express') {
    const route = idempotency(options as never);
    const app = await listenExpress(
      buildExpressApp((instance) => {
        instance.post('/payments', express.json(), route, (req, res, next) => {
          handle(req.body as PaymentBody, req.idempotency?.fencingToken).then(({ status, payload }) => {
            // A rate limiter in front would have set RateLimit on this request's response.
            res
              .status(status)
              .set({ location: `/payments/${payload.id}`, 'ratelimit-remaining': String(10 - runs) })
              .cookie('seen', String(runs));
            res.json(payload);
          }, next);
        });
      }),
    );
    return {
      ...app,
      close: async () => {
        await app.close();
        await route.close();
      },
      runs: () => runs,
      store: route.store,
      hold,
    };
  }
  const { redis, prefix, timeout, lockTtl, metrics, ...route } = options;
  let store: Idempotency | undefined;
  const fastify = await buildFastifyApp(async (instance) => {
    await instance.register(idempotencyPlugin, {
      redis,
      metrics,
      timeout,
      lockTtl,
      ...(prefix === undefined ? {} : { prefix }),
    });
    store = instance.idempotencyStore;
    instance.post(
      '/payments',
      { config: { idempotency: route as IdempotencyRouteOptions<FastifyRequest> } },
      async (request, reply) => {
        const { status, payload } = await handle(
          request.body as PaymentBody,
          request.idempotency?.fencingToken,
        );
        return reply
          .code(status)
          .header('location', `/payments/${payload.id}`)
          .header('set-cookie', `seen=${runs}`)
          .header('ratelimit-remaining', String(10 - runs))
          .send(payload);
      },
    );
  });
  const app = await listenFastify(fastify);
  return { ...app, runs: () => runs, store: store as Idempotency, hold };
}

/** A POST of `body` with the given `Idempotency-Key` header value (none when undefined). */
export function pay(
  app: ListeningApp,
  key: string | undefined,
  body: PaymentBody = { amount: 10 },
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${app.url}/payments`, {
    method: 'POST',
    ...(signal === undefined ? {} : { signal }),
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}
