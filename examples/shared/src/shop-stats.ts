import type { CacheMetrics } from '@rediware/cache';
import type { ResponseCacheStats } from '@rediware/cache/express';
import type { IdempotencyMetrics } from '@rediware/idempotency';
import type { LockMetrics } from '@rediware/lock';
import type { RateLimitMetrics } from '@rediware/rate-limit';
import type { SessionMetrics } from '@rediware/session';
import { RateHistory, type RateSnapshot } from './rate-history';

/** Counts of what one shop instance's plugins did, for the status page. */
export interface StatusCounts {
  apiLimit: RateLimitMetrics;
  loginLimit: RateLimitMetrics;
  responseCache: ResponseCacheStats;
  dataCache: CacheMetrics;
  lock: Pick<LockMetrics, 'acquired' | 'waited' | 'timeouts' | 'lost' | 'errors'>;
  /** The checkout's Idempotency-Key: orders placed, retries replayed instead of charged again. */
  checkoutIdempotency: IdempotencyMetrics;
  sessionStore: SessionMetrics;
  /** Live sessions of each user who logged in on this instance. */
  sessions: Record<string, number>;
}

interface Sources {
  apiLimit: { metrics(): RateLimitMetrics };
  loginLimit: { metrics(): RateLimitMetrics };
  responseCache: { stats(): ResponseCacheStats };
  dataCache: { metrics(): CacheMetrics };
  locker: { metrics(): LockMetrics };
  checkoutIdempotency: { metrics(): IdempotencyMetrics };
  sessionStore: { metrics(): SessionMetrics; listUserSessions(userId: string): Promise<string[]> };
}

/**
 * The status page's numbers: each plugin's own counters (`metrics()`, the totals its Prometheus
 * or OpenTelemetry exporter reports; the response cache's `stats()`), their per-second rates over
 * the last 3 minutes, and the sessions of each user from the session store's per-user index.
 */
export class ShopStats {
  readonly #sources: Sources;
  readonly #users = new Set<string>();
  readonly #history: RateHistory;

  constructor(sources: Sources) {
    this.#sources = sources;
    this.#history = new RateHistory(() => this.totals());
  }

  /** Every counter as `<group>.<name>` → total (`apiLimit.rejected`, `lock.waited`, ...). */
  totals(): Record<string, number> {
    const sources = this.#sources;
    const groups: Record<string, object> = {
      apiLimit: sources.apiLimit.metrics(),
      loginLimit: sources.loginLimit.metrics(),
      responseCache: sources.responseCache.stats(),
      dataCache: sources.dataCache.metrics(),
      lock: sources.locker.metrics(),
      checkoutIdempotency: sources.checkoutIdempotency.metrics(),
      sessionStore: sources.sessionStore.metrics(),
    };
    const totals: Record<string, number> = {};
    for (const [group, counts] of Object.entries(groups)) {
      for (const [name, value] of Object.entries(counts)) {
        if (typeof value === 'number') totals[`${group}.${name}`] = value;
      }
    }
    return totals;
  }

  /** Per-second rates of every counter of `totals()`, one sample a second, oldest first. */
  rates(): RateSnapshot {
    return this.#history.snapshot();
  }

  /** Stops sampling the rates. */
  close(): void {
    this.#history.close();
  }

  loggedIn(userId: string): void {
    this.#users.add(userId);
  }

  async counts(): Promise<StatusCounts> {
    const sources = this.#sources;
    const users = [...this.#users].sort();
    // With Redis down the page still shows the counters (the failures among them), without sessions.
    const lists = await Promise.all(
      users.map((user) => sources.sessionStore.listUserSessions(user).catch(() => undefined)),
    );
    const sessions = Object.fromEntries(
      users.map((user, i) => [user, lists[i]?.length ?? 0]).filter(([, count]) => count !== 0),
    );
    const { acquired, waited, timeouts, lost, errors } = sources.locker.metrics();
    return {
      apiLimit: sources.apiLimit.metrics(),
      loginLimit: sources.loginLimit.metrics(),
      responseCache: sources.responseCache.stats(),
      dataCache: sources.dataCache.metrics(),
      lock: { acquired, waited, timeouts, lost, errors },
      checkoutIdempotency: sources.checkoutIdempotency.metrics(),
      sessionStore: sources.sessionStore.metrics(),
      sessions,
    };
  }
}
