import type { Scenario } from './scenario-types';

/**
 * The response cache, not measured yet: @rediware/cache does not exist. When it does, add its
 * servers to servers/registry.ts (ours L1 hit, L2 (Redis) hit and miss vs apicache with Redis,
 * all in front of a handler that takes 20 ms, plus that handler uncached) and list them here as
 * tables: the runner, the report and `--only cache` need nothing else.
 */
export const cacheScenario: Scenario = { name: 'cache', tables: [] };
