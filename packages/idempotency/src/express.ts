/**
 * Idempotency-Key handling per route for Express (`idempotency`).
 *
 * @module @rediware/idempotency/express
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { defaultFingerprint } from './fingerprint';
import { holdUntilAnswered } from './flight-response';
import { createIdempotency, type Idempotency } from './idempotency';
import type { IdempotentRequest } from './idempotent-request';
import { type IdempotencyRouteOptions, type IdempotencyStoreOptions, parseRouteOptions } from './options';
import {
  createRouteDecision,
  type ProblemAnswer,
  problemContentType,
  replayedHeader,
} from './route-decision';
import type { StoredResponse } from './stored-response';

declare global {
  namespace Express {
    interface Request {
      /** The key this request holds while its handler runs (first requests only). */
      idempotency?: IdempotentRequest;
    }
  }
}

/** Options of `idempotency()`: where records live, and what the route does. */
export interface IdempotencyOptions extends IdempotencyStoreOptions, IdempotencyRouteOptions<Request> {
  /**
   * A store to share between routes; when given, `redis`, `prefix`, `timeout`, `lockTtl` and `metrics` are its own.
   * @default a store created from these options
   */
  store?: Idempotency | undefined;
}

/** The middleware `idempotency()` returns. */
export type IdempotencyMiddleware = RequestHandler & {
  /** The route's store (events: `failure`). */
  readonly store: Idempotency;
  /** Closes the store if the middleware created it. */
  close(): Promise<void>;
};

/**
 * Idempotency for one route, after a body parser:
 * `app.post('/payments', express.json(), idempotency({ redis }), handler)`.
 */
export function idempotency(options: IdempotencyOptions = {}): IdempotencyMiddleware {
  const { store: given, redis, prefix, timeout, lockTtl, metrics, ...routeOptions } = options;
  const route = parseRouteOptions<Request>(routeOptions, 'idempotency', expressFingerprint);
  const store = given ?? createIdempotency({ redis, prefix, timeout, lockTtl, metrics });
  const decide = createRouteDecision(store, route);

  const handler = (req: Request, res: Response, next: NextFunction): void => {
    decide(req, req.headers['idempotency-key']).then((outcome) => {
      if (outcome.kind === 'pass') return next();
      if (outcome.kind === 'problem') return sendProblem(res, outcome.answer);
      if (outcome.kind === 'replay') return sendReplay(res, outcome.response);
      req.idempotency = { key: outcome.key, fencingToken: outcome.flight.fencingToken };
      holdUntilAnswered(res, outcome.flight, route);
      next();
    }, next);
  };
  return Object.assign(handler, {
    store,
    close: async () => {
      if (given === undefined) await store.close();
    },
  });
}

function expressFingerprint(req: Request): string {
  return defaultFingerprint({ method: req.method, url: req.originalUrl, body: req.body });
}

function sendProblem(res: Response, answer: ProblemAnswer): void {
  res.status(answer.status).set(answer.headers).type(problemContentType).send(JSON.stringify(answer.body));
}

function sendReplay(res: Response, stored: StoredResponse): void {
  res.status(stored.status);
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader(replayedHeader, 'true');
  res.setHeader('content-length', stored.body.length);
  res.end(stored.body);
}
