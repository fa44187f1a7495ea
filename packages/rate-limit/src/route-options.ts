import { createHash } from 'node:crypto';
import type { RateLimiterConfig, RateLimiterOptions } from './options';
import type { RateLimiter } from './rate-limiter';

/** What a route limit may set; every option it leaves undefined comes from the plugin's. */
interface InheritableOptions extends Omit<Partial<RateLimiterOptions>, 'limit'> {
  limit?: unknown;
  limiter?: RateLimiter | undefined;
}

/**
 * A route's limit options over the plugin's: the route inherits every option it does not set
 * (limit, window, algorithm, redis, key, headers...), except these two:
 * - `name` defaults to the route (`GET/login`), so each route counts on its own unless routes are
 *   given the same name;
 * - `burst` goes with `limit`: a route that sets its own limit gets a bucket of that size.
 * A plugin built on an existing `limiter` passes on that limiter's options, not the limiter: its
 * counter stays the global one.
 */
export function routeLimitOptions<O extends InheritableOptions>(plugin: O, route: O, routeName: string): O {
  const own = definedOnly(route);
  const { limiter, name: _pluginName, ...pluginOptions } = plugin;
  const inherited: Record<string, unknown> = {
    ...(limiter ? optionsOf(limiter.config) : {}),
    ...definedOnly(pluginOptions),
  };
  const algorithm = own.algorithm ?? inherited.algorithm;
  if (own.limit !== undefined || algorithm !== 'token-bucket') delete inherited.burst;
  return { ...inherited, name: defaultRouteName(routeName), ...own } as O;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The options that would build a limiter with this configuration. */
function optionsOf(config: RateLimiterConfig): Partial<RateLimiterOptions> {
  const bucket = config.algorithm === 'token-bucket';
  const [main, ...policies] = config.policies.map((policy) => ({
    limit: policy.limit,
    window: policy.windowMs,
    ...(bucket ? { burst: policy.burst } : {}),
  }));
  return {
    redis: config.redis,
    algorithm: config.algorithm,
    ...main,
    policies,
    prefix: config.prefix,
    ...(config.timeout === undefined ? {} : { timeout: config.timeout }),
    failOpen: config.failOpen,
    memoryFallback: config.memoryFallback,
    continueExceeding: config.continueExceeding,
    blockCache: config.blockCacheSize > 0 ? config.blockCacheSize : false,
    metrics: config.metrics,
  };
}

const validName = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * `METHOD/url` when that is a valid limiter name (printable ASCII without spaces, quotes or
 * backslashes, at most 128 characters); otherwise percent-encoded, and past 128 characters cut
 * and suffixed with a hash of the whole, so every route still has a name of its own.
 */
export function defaultRouteName(route: string): string {
  const encoded = validName.test(route) ? route : encodeURI(route);
  if (encoded.length <= 128) return encoded;
  const hash = createHash('sha256').update(route).digest('base64url').slice(0, 16);
  return `${encoded.slice(0, 111)}~${hash}`;
}
