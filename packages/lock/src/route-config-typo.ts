import { type RouteIdentity, warnMisspeltRouteConfig } from '@rediware/core';

/**
 * Warns once per key (`RW_ROUTE_CONFIG_TYPO`) when a Fastify route's `config` has a key that looks
 * like a misspelt `lock` (`lcok`, `Lock`): the route would otherwise go unguarded without a word.
 */
export function warnMisspeltLockConfig(config: object | undefined, route: RouteIdentity): void {
  warnMisspeltRouteConfig('@rediware/lock', 'lock', config, route);
}
