/** Counts of what one shop instance's plugins did, for the status page. */
export interface StatusCounts {
  rateLimit: { admitted: number; rejected: number };
  responseCache: { hits: number; stale: number; misses: number; bypasses: number };
  dataCache: { hits: number; misses: number; stale: number; errors: number };
  lock: { acquired: number; waited: number };
  /** Live sessions of each user who logged in on this instance. */
  sessions: Record<string, number>;
}

interface Sources {
  responseCache: () => StatusCounts['responseCache'];
  dataCache: () => StatusCounts['dataCache'];
  listUserSessions: (userId: string) => Promise<string[]>;
}

/**
 * The status page's numbers. Cache counts come from the caches' own `stats()`; the rate-limit
 * decision of each request is read from `req.rateLimit`, lock waits from the checkout locker,
 * and sessions from the session store's per-user index.
 */
export class ShopStats {
  readonly #sources: Sources;
  readonly #rateLimit = { admitted: 0, rejected: 0 };
  readonly #lock = { acquired: 0, waited: 0 };
  readonly #users = new Set<string>();

  constructor(sources: Sources) {
    this.#sources = sources;
  }

  /** One request's rate-limit decision (the strictest limiter's). */
  rateLimited(allowed: boolean): void {
    if (allowed) this.#rateLimit.admitted++;
    else this.#rateLimit.rejected++;
  }

  lockAcquired(): void {
    this.#lock.acquired++;
  }

  lockWaited(): void {
    this.#lock.waited++;
  }

  loggedIn(userId: string): void {
    this.#users.add(userId);
  }

  async counts(): Promise<StatusCounts> {
    const users = [...this.#users].sort();
    const lists = await Promise.all(users.map((user) => this.#sources.listUserSessions(user)));
    const sessions = Object.fromEntries(
      users.map((user, i) => [user, lists[i]?.length ?? 0]).filter(([, count]) => count !== 0),
    );
    return {
      rateLimit: { ...this.#rateLimit },
      responseCache: this.#sources.responseCache(),
      dataCache: this.#sources.dataCache(),
      lock: { ...this.#lock },
      sessions,
    };
  }
}
