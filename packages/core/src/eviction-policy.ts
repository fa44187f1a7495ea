import type { RedisDriver } from './driver/driver';

/** What one master says about eviction, from `INFO memory`. */
export interface EvictionSettings {
  /** Bytes; 0 means no limit, so nothing is ever evicted. */
  maxmemory: number;
  policy: string;
}

/**
 * Whether Redis may delete keys before they expire. Every key rediware keeps for state has a TTL,
 * so the `volatile-*` policies evict them as surely as `allkeys-*`: only `noeviction` (or no
 * `maxmemory`) keeps them.
 */
export function mayEvict(settings: EvictionSettings): boolean {
  return settings.maxmemory > 0 && settings.policy !== 'noeviction';
}

/** Reads `maxmemory` and `maxmemory_policy` from an `INFO memory` reply; undefined if absent. */
export function parseEvictionSettings(info: string): EvictionSettings | undefined {
  const maxmemory = /^maxmemory:(\d+)\r?$/m.exec(info)?.[1];
  const policy = /^maxmemory_policy:(\S+)\r?$/m.exec(info)?.[1];
  if (maxmemory === undefined || policy === undefined) return undefined;
  return { maxmemory: Number(maxmemory), policy };
}

const warned = new WeakMap<object, Set<string>>();

/**
 * Once per client and package, in the background: when a master may evict keys, warns that the
 * package's state (`holds`: 'held locks', 'sessions'...) can vanish under memory pressure.
 * `INFO memory` rather than `CONFIG GET`: managed services that disable CONFIG still answer INFO.
 * A Redis that does not answer within `deadlineMs` (the backend's `timeout`), or refuses INFO, is
 * not warned about. Returns `end`, for the backend's close(): it drops a check still waiting, and
 * its timer with it.
 */
export function warnIfStateEvictable(
  client: object,
  driver: RedisDriver,
  packageName: string,
  holds: string,
  deadlineMs: number,
): () => void {
  const packages = warned.get(client) ?? new Set<string>();
  warned.set(client, packages);
  if (packages.has(packageName)) return () => {};
  packages.add(packageName);
  const deadline = checkDeadline(deadlineMs);
  void readEvictionSettings(driver, deadline.passed)
    .then(
      (settings) => {
        const evicting = settings.find(mayEvict);
        if (evicting)
          process.emitWarning(evictionMessage(packageName, holds, evicting), { code: 'RW_EVICTION_POLICY' });
      },
      () => {},
    )
    .finally(deadline.end);
  return deadline.end;
}

/** Rejects after `ms`, or at once on `end()`, which also clears its timer. */
function checkDeadline(ms: number): { passed: Promise<never>; end: () => void } {
  let end = (): void => {};
  const passed = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(new Error('INFO memory timed out')), ms);
    timer.unref();
    end = () => {
      clearTimeout(timer);
      reject(new Error('INFO memory check ended'));
    };
  });
  passed.catch(() => {});
  return { passed, end };
}

async function readEvictionSettings(
  driver: RedisDriver,
  deadline: Promise<never>,
): Promise<EvictionSettings[]> {
  const masters = await Promise.race([driver.masters(), deadline]);
  const replies = await Promise.race([
    Promise.all(masters.map((send) => send(['INFO', 'memory']))),
    deadline,
  ]);
  return replies.flatMap((reply) => parseEvictionSettings(String(reply)) ?? []);
}

function evictionMessage(packageName: string, holds: string, settings: EvictionSettings): string {
  return (
    `${packageName}: Redis runs with maxmemory ${settings.maxmemory} bytes and maxmemory-policy ` +
    `${settings.policy}, so under memory pressure it may delete ${holds} before they expire. Give the ` +
    'Redis that holds them maxmemory-policy noeviction, and the response cache a Redis of its own ' +
    '(see "Deployment" in the @rediware/core README).'
  );
}
