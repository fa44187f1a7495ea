import type { ProblemDetails, RediwareError } from '@rediware/core';
import {
  IdempotencyInFlightError,
  IdempotencyKeyMalformedError,
  IdempotencyKeyMissingError,
  IdempotencyMismatchError,
} from './errors';
import type { Idempotency } from './idempotency';
import { parseIdempotencyKey } from './idempotency-key';
import type { Flight } from './in-flight';
import type { RouteConfig } from './options';
import type { StoredResponse } from './stored-response';

/** A framework-neutral problem+json answer: the adapter copies it onto its reply. */
export interface ProblemAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemDetails;
}

/** What the adapter does with a request. */
export type RouteOutcome =
  /** No key on a route that does not require one: the handler runs as without idempotency. */
  | { readonly kind: 'pass' }
  /** The first request with this key: the handler runs holding the key. */
  | { readonly kind: 'run'; readonly key: string; readonly flight: Flight }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'problem'; readonly answer: ProblemAnswer };

export const problemContentType = 'application/problem+json';

/** The header that marks a replayed response. */
export const replayedHeader = 'idempotent-replayed';

/**
 * The whole route, free of any framework: the adapters only copy requests in and responses out.
 * Missing (where required) or malformed key → 400; running → 409 with Retry-After; another
 * fingerprint → 422; Redis failing → its 503 (fail closed). Anything else (a throwing `scope`) is
 * rethrown for the framework's error handling.
 */
export function createRouteDecision<Req>(
  engine: Idempotency,
  route: RouteConfig<Req>,
): (req: Req, header: string | readonly string[] | undefined) => Promise<RouteOutcome> {
  return async (req, header) => {
    const parsed = parseIdempotencyKey(header);
    if (parsed.kind === 'absent') return route.required ? problem(new IdempotencyKeyMissingError()) : pass;
    if (parsed.kind === 'malformed') return problem(new IdempotencyKeyMalformedError());
    const [scope, fingerprint] = await Promise.all([route.scope(req), route.fingerprint(req)]);
    let decision: Awaited<ReturnType<Idempotency['begin']>>;
    try {
      decision = await engine.begin({ scope, key: parsed.key, fingerprint, waitMs: route.waitMs });
    } catch (error) {
      if (isRedisFailure(error)) return problem(error);
      throw error;
    }
    switch (decision.kind) {
      case 'run':
        return { kind: 'run', key: parsed.key, flight: decision.flight };
      case 'replay':
        return decision;
      case 'busy':
        return problem(new IdempotencyInFlightError(decision.retryAfterMs), {
          'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))),
        });
      case 'mismatch':
        return problem(new IdempotencyMismatchError());
    }
  };
}

const pass: RouteOutcome = Object.freeze({ kind: 'pass' });

function problem(error: RediwareError, headers: Record<string, string> = {}): RouteOutcome {
  return { kind: 'problem', answer: { status: error.statusCode, headers, body: error.toProblem() } };
}

/** By `code`, not instanceof: another copy of core (CommonJS and ESM builds) has its own classes. */
function isRedisFailure(error: unknown): error is RediwareError {
  const candidate = error as Partial<RediwareError> | null | undefined;
  return (
    typeof candidate?.code === 'string' &&
    candidate.code.startsWith('ERR_RW_REDIS_') &&
    typeof candidate.toProblem === 'function'
  );
}
