import { editDistance } from './edit-distance';

/** The route a Fastify `onRoute` hook sees, as far as a warning names it. */
export interface RouteIdentity {
  /** The route's method, or methods. */
  method: string | readonly string[];
  /** The route's path, such as `/orders/:id`. */
  url: string;
}

/**
 * Whether `key` looks like `expected` misspelt: equal but for case, or at most two edits away
 * (one for keys under six characters, where two edits reach unrelated words: `lock` and `ok`).
 */
export function looksMisspelt(key: string, expected: string): boolean {
  if (key === expected) return false;
  const lower = key.toLowerCase();
  const target = expected.toLowerCase();
  if (lower === target) return true;
  const allowed = target.length < 6 ? 1 : 2;
  return Math.abs(lower.length - target.length) <= allowed && editDistance(lower, target) <= allowed;
}

const warned = new Set<string>();

/**
 * A misspelt route config key (`rateLimt`) leaves the route without the plugin, silently: Fastify
 * accepts any key. Warns once per package and key, naming the first route that has it; an app whose
 * own key only looks like one silences it with `node --disable-warning=RW_ROUTE_CONFIG_TYPO`.
 */
export function warnMisspeltRouteConfig(
  packageName: string,
  expected: string,
  config: object | undefined,
  route: RouteIdentity,
): void {
  if (config === undefined || config === null) return;
  for (const key of Object.keys(config)) {
    if (!looksMisspelt(key, expected)) continue;
    const once = `${packageName}\0${key}`;
    if (warned.has(once)) continue;
    warned.add(once);
    const method = typeof route.method === 'string' ? route.method : route.method.join(',');
    process.emitWarning(
      `${packageName}: route ${method} ${route.url} has \`config.${key}\`, which no rediware plugin ` +
        `reads, so ${packageName} does not apply to it. Did you mean \`config.${expected}\`?`,
      { code: 'RW_ROUTE_CONFIG_TYPO' },
    );
  }
}
