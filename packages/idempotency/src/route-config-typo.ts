import { type RouteIdentity, warnMisspeltRouteConfig } from '@rediware/core';

/**
 * Warns once per key (`RW_ROUTE_CONFIG_TYPO`) when a Fastify route's `config` has a key that looks
 * like a misspelt `idempotency` (`idempotancy`, `Idempotency`): the route would otherwise run
 * without it, and a retried payment would be charged twice.
 */
export function warnMisspeltIdempotencyConfig(config: object | undefined, route: RouteIdentity): void {
  warnMisspeltRouteConfig('@rediware/idempotency', 'idempotency', config, route);
}
