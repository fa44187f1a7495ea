import supertest from 'supertest';

/** The Host of every request made through `request`, unless the test sets its own. */
export const pinnedHost = 'cache.test';

/**
 * supertest's `request(app)`, with one Host for every request. supertest listens on a new port
 * for each request to an app, and the port is part of the response cache's key (a Host with
 * another port is another site): without this, no request would ever be a hit.
 */
export function request(app: Parameters<typeof supertest>[0]): ReturnType<typeof supertest> {
  const agent = supertest(app);
  return new Proxy(agent, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const test = value.apply(target, args) as { set?: (name: string, value: string) => unknown };
        return typeof test?.set === 'function' ? test.set('Host', pinnedHost) : test;
      };
    },
  });
}
