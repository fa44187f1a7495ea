import { onOwner, type RedisTarget, useRedisTargets } from '@rediware/testing';
import { Cookie, type SessionData } from 'express-session';
import { RedisStore } from '../src/express';

// connect-redis's own test (`lifecycleTest` of its index_test.ts, v10), ported line by line to
// this store: a connect-redis user's expectations hold, except where the migration guide in the
// README says why they differ (milliseconds, not seconds; `all()` is keyed by id; a touch also
// moves the stored `cookie.expires`).

const prefix = 'sess:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;

describe.each(useRedisTargets(['node-redis', 'node-redis-cluster']))(
  "connect-redis's lifecycle test on $name",
  (target: RedisTarget) => {
    let store: RedisStore;
    beforeEach(async () => {
      await target.flush();
      // An API parity test, not a latency one: a generous deadline, so a loaded CI machine
      // stalling a cluster node for 500 ms (the default) cannot fail it.
      store = new RedisStore({ redis: target.client(), timeout: '5s' });
    });
    afterEach(() => store.close());
    const pttl = async (id: string) => Number(await onOwner(target, dataKey(id), ['PTTL', dataKey(id)]));
    // connect-redis's sessions are plain objects, not express-session's SessionData.
    const asSession = (value: object) => value as SessionData;

    it('passes, with the documented differences', async () => {
      await store.clear();

      const sess = { foo: 'bar', cookie: { originalMaxAge: null } };
      await store.set('123', asSession(sess));
      expect(await store.get('123')).toEqual(sess);
      expect(await pttl('123')).toBeGreaterThanOrEqual(86_399_000); // connect-redis: ttl >= 86399 (s)

      const expires = new Date(Date.now() + 60_000);
      await store.set('456', asSession({ cookie: { originalMaxAge: null, expires } }));
      expect(await pttl('456')).toBeLessThanOrEqual(60_000);

      const expires2 = new Date(Date.now() + 90_000);
      await store.touch('456', asSession({ cookie: { originalMaxAge: null, expires: expires2 } }));
      expect(await pttl('456')).toBeGreaterThan(60_000);

      expect(await store.length()).toBe(2);
      expect((await store.ids()).sort()).toEqual(['123', '456']);
      // connect-redis: an array of sessions, each with its `id`, and the expiry of the last set.
      expect(await store.all()).toEqual({
        '123': { foo: 'bar', cookie: { originalMaxAge: null } },
        '456': { cookie: { originalMaxAge: null, expires: expires2.toISOString() } },
      });

      await store.destroy('456');
      expect(await store.length()).toBe(1);
      await store.clear();
      expect(await store.length()).toBe(0);

      const cookie = new Cookie();
      for (let sid = 0; sid < 1000; sid++) {
        cookie.expires = new Date(Date.now() + 60_000);
        await store.set(`s${sid}`, { cookie });
      }
      expect(await store.length()).toBe(1000);
      await store.clear();
      expect(await store.length()).toBe(0);

      await store.set(
        '789',
        asSession({ cookie: { originalMaxAge: null, expires: new Date(Date.now() + 90_000) } }),
      );
      expect(await store.length()).toBe(1);
      await store.set(
        '789',
        asSession({ cookie: { originalMaxAge: null, expires: new Date(Date.now() - 90_000) } }),
      );
      expect(await store.length()).toBe(0);
    });
  },
);
