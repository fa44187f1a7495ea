import type { Backend } from './backend';
import { clientHealthOf, type HealthChange } from './client-health';
import { type Clock, systemClock } from './clock';
import { createDriver } from './driver/create-driver';
import { parsePositiveDuration } from './duration';
import { warnIfStateEvictable } from './eviction-policy';
import { MemoryBackend } from './memory-backend';
import { checkPositiveInteger } from './option-checks';
import { RedisBackend } from './redis-backend';

/** Per-call deadline when `timeout` is not given. */
export const DEFAULT_TIMEOUT_MS = 500;

/** What an engine passes to `createBackend`: the user's `redis` and `timeout`, and its own hooks. */
export interface CreateBackendOptions {
  /** The user's client; omitted means the in-process memory backend. @default the memory backend */
  redis?: unknown;
  /** Per-call deadline (ms or a duration string). @default 500 (`DEFAULT_TIMEOUT_MS`) */
  timeout?: unknown;
  /** Names the package in the production warning, e.g. '@rediware/rate-limit'. */
  packageName: string;
  /** Errors of connections rediware opens itself (the subscriber). */
  onConnectionError?: (error: Error) => void;
  /**
   * The subscriber connection was lost and is reconnecting: messages published meanwhile are
   * lost. Reported for node-redis and ioredis standalone clients (the subscriber's `reconnecting`
   * event); a cluster client may move its pub/sub link between nodes without telling.
   */
  onSubscriberLost?: () => void;
  /**
   * The client's health changed: a call found Redis down (a timeout or a lost connection), so
   * calls on this client now fail at once; or a probe found it answering again. Every backend on
   * the same client is told.
   */
  onHealthChange?: (change: HealthChange) => void;
  /**
   * What the package keeps in Redis that must not vanish before it expires ('held locks',
   * 'sessions', 'rate-limit counters'): at start, warns once when Redis may evict it.
   */
  holdsState?: string;
  /** Memory backend only: the time source (tests move it). @default systemClock */
  clock?: Clock;
  /** Memory backend only: live keys kept at most. @default 100000 */
  maxEntries?: number;
}

const warned = new Set<string>();

/** Validates `redis` and `timeout` and returns the backend an engine runs on. */
export function createBackend(options: CreateBackendOptions): Backend {
  const timeoutMs =
    options.timeout === undefined ? DEFAULT_TIMEOUT_MS : parsePositiveDuration(options.timeout, 'timeout');
  if (options.redis === undefined) {
    warnMemoryInProduction(options.packageName);
    return new MemoryBackend({
      clock: options.clock ?? systemClock,
      maxEntries:
        options.maxEntries === undefined ? 100_000 : checkPositiveInteger(options.maxEntries, 'maxEntries'),
      sweepIntervalMs: 30_000,
    });
  }
  const driver = createDriver(options.redis, {
    onError: options.onConnectionError ?? (() => {}),
    onSubscriberLost: options.onSubscriberLost ?? (() => {}),
  });
  const backend = new RedisBackend(
    driver,
    timeoutMs,
    clientHealthOf(options.redis as object),
    options.onHealthChange,
  );
  if (options.holdsState === undefined) return backend;
  // Under the user's deadline like every Redis call, and ended by close(): no timer outlives it.
  const endCheck = warnIfStateEvictable(
    options.redis as object,
    driver,
    options.packageName,
    options.holdsState,
    timeoutMs,
  );
  const close = backend.close.bind(backend);
  backend.close = () => {
    endCheck();
    return close();
  };
  return backend;
}

function warnMemoryInProduction(packageName: string): void {
  if (process.env.NODE_ENV !== 'production' || warned.has(packageName)) return;
  warned.add(packageName);
  process.emitWarning(
    `${packageName} runs on the in-process memory backend because no \`redis\` client was given: ` +
      'limits, sessions, cache entries and locks are not shared between processes.',
    { code: 'RW_MEMORY_BACKEND' },
  );
}
