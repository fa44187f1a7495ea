import supertest from 'supertest';

/** The Host of every request made through `pinnedRequest`, unless the test sets its own. */
export const pinnedHost = 'app.test';

type App = Parameters<typeof supertest>[0];

/** Each request method of `target` returns its Test with the pinned Host already set. */
function withPinnedHost<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, name) {
      const value: unknown = Reflect.get(object, name);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const test = value.apply(object, args) as { set?: (name: string, value: string) => unknown };
        return typeof test?.set === 'function' ? test.set('Host', pinnedHost) : test;
      };
    },
  });
}

/**
 * supertest's `request(app)` (and `request.agent(app)`), with one Host for every request.
 * supertest listens on a new port for each request to an app, and a response cache keys on the
 * host, port included (a Host with another port is another site): without one Host, no request
 * through supertest would ever be a cache hit.
 */
export const pinnedRequest = Object.assign((app: App) => withPinnedHost(supertest(app)), {
  agent: (app: App) => withPinnedHost(supertest.agent(app)),
});
