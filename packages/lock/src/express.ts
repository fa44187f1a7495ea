/**
 * A per-route lock guard for Express (`lockGuard`).
 *
 * @module @rediware/lock/express
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ClientGone } from './client-gone';
import { createGuard, type GuardResponse, guardLocker, lostResponse, problemContentType } from './guard';
import type { Lock } from './held-lock';
import type { Locker } from './locker';
import { type GuardRouteOptions, type LockerOptions, parseGuardRouteOptions } from './options';

declare global {
  namespace Express {
    interface Request {
      /** The lock the route's lockGuard holds for this request. */
      lock?: Lock;
    }
  }
}

/** Options of `lockGuard()`: the locker's and the route's. */
export interface LockGuardOptions extends LockerOptions, GuardRouteOptions<Request> {
  /**
   * A locker to share between guards; when given, `redis`, `prefix` and `timeout` are its own.
   * @default a locker created from these options
   */
  locker?: Locker | undefined;
}

/** The middleware `lockGuard()` returns. */
export type LockGuard = RequestHandler & {
  /** The guard's locker (events: `failure`, `lost`). */
  readonly locker: Locker;
  /** Closes the locker if the guard created it. */
  close(): Promise<void>;
};

const lockerKeys = ['redis', 'prefix', 'timeout', 'extendRatio', 'retryInterval', 'metrics', 'locker'];

/**
 * A per-route lock: `app.post('/orders/:id/pay', lockGuard({ key: (req) => req.params.id, ttl: '10s' }), ...)`.
 * The lock is held until the handler has ended the response, even when the client disconnects
 * first (then `req.lock.signal` aborts, and a handler that never ends the response holds it for
 * its ttl at most).
 */
export function lockGuard(options: LockGuardOptions): LockGuard {
  const route = parseGuardRouteOptions<Request>(options, 'lockGuard', lockerKeys);
  const {
    key: _key,
    ttl: _ttl,
    wait: _wait,
    limit: _limit,
    autoExtend: _auto,
    statusCode: _status,
    ...rest
  } = options;
  const { locker, owned } = guardLocker(rest);
  const enter = createGuard(locker, route);

  const handler = (req: Request, res: Response, next: NextFunction): void => {
    const cancel = new ClientGone(res);
    enter(req, cancel).then(
      (outcome) => {
        if (outcome.kind !== 'held') {
          cancel.stop();
          if (outcome.kind === 'refused') send(res, outcome.response);
          return;
        }
        const { lock } = outcome;
        if (!cancel.holdUntilDone(lock)) return;
        req.lock = lock;
        lock.onLost((error) => {
          if (!res.headersSent) send(res, lostResponse(error, route.statusCode));
        });
        next();
      },
      (error: unknown) => {
        cancel.stop();
        next(error);
      },
    );
  };
  return Object.assign(handler, {
    locker,
    close: async () => {
      if (owned) await locker.close();
    },
  });
}

function send(res: Response, response: GuardResponse): void {
  res
    .status(response.status)
    .set(response.headers)
    .type(problemContentType)
    .send(JSON.stringify(response.body));
}
