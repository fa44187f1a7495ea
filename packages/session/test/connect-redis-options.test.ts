import { setTimeout as sleep } from 'node:timers/promises';
import { onOwner, type RedisTarget, useRedisTargets, waitFor } from '@rediware/testing';
import {
  type CorruptSessionEvent,
  createSessionStore,
  type SessionStore,
  type SessionStoreOptions,
} from '../src';
import { commandsDuring, sessionWith } from './fixtures';

// The options connect-redis users rely on (disableTouch, disableTTL, ttl as a function, scanCount,
// an async serializer), on the engine both RedisStores wrap.

type Data = Record<string, unknown> & { user?: string; role?: string };

const prefix = 'rwcr:sess:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;

/** The loaded session as the next request saves or touches it: its cookie moved to `expires`. */
function withExpiry(session: Data | null, expires: Date): Data {
  return { ...session, cookie: { ...(session?.cookie as object), expires } };
}

describe.each(useRedisTargets(['memory', 'node-redis', 'ioredis-cluster']))(
  'connect-redis options on $name',
  (target: RedisTarget) => {
    const stores: SessionStore<Data>[] = [];
    function makeStore(options: SessionStoreOptions<Data> = {}): SessionStore<Data> {
      const store = createSessionStore<Data>({
        redis: target.client(),
        prefix,
        timeout: '2s',
        userId: (session) => session.user,
        ...options,
      });
      stores.push(store);
      return store;
    }
    /** Checks the key's remaining lifetime in ms (-1: none) in Redis; the memory backend has no PTTL to ask. */
    async function expectPttl(id: string, check: (pttl: number) => void): Promise<void> {
      if (target.name === 'memory') return;
      check(Number(await onOwner(target, dataKey(id), ['PTTL', dataKey(id)])));
    }

    beforeEach(() => target.flush());
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    });

    describe('disableTouch', () => {
      it('a touch writes nothing (neither the expiry nor the key lifetime); a save still moves both', async () => {
        const store = makeStore({ disableTouch: true, touchAfter: 0 });
        const first = new Date(Date.now() + 60_000);
        await store.set('s1', sessionWith({ n: 1 }, { expires: first }));
        const loaded = await store.get('s1');
        const ran = await commandsDuring(target.masters(), () =>
          store.touch('s1', withExpiry(loaded, new Date(Date.now() + 3_600_000))),
        );
        expect(ran).toEqual({});
        expect(await store.get('s1')).toMatchObject({ cookie: { expires: first.toISOString() } });
        await expectPttl('s1', (ms) => expect(ms).not.toBeGreaterThan(60_000));
        // express-session's resave: true saves the unchanged session instead: that extends it.
        const later = new Date(Date.now() + 3_600_000);
        await store.set('s1', withExpiry(loaded, later));
        expect(await store.get('s1')).toMatchObject({ n: 1, cookie: { expires: later.toISOString() } });
        await expectPttl('s1', (ms) => expect(ms).toBeGreaterThan(3_500_000));
      });

      it('an active session that only touches expires when the lifetime of its last save ends', async () => {
        const store = makeStore({ disableTouch: true, touchAfter: 0 });
        await store.set('s1', sessionWith({ n: 1 }, { maxAge: 300 }));
        const keepAlive = async () => {
          const loaded = await store.get('s1');
          if (loaded !== null) await store.touch('s1', sessionWith({ n: 1 }, { maxAge: 300 }));
          return loaded;
        };
        await sleep(150);
        expect(await keepAlive()).not.toBeNull();
        await waitFor(async () => (await keepAlive()) === null);
      });
    });

    describe('disableTTL', () => {
      it('stores a session with no key expiry: a browser-session cookie outlives ttl', async () => {
        const store = makeStore({ disableTTL: true, ttl: '100ms' });
        await store.set('s1', { cookie: { originalMaxAge: null, expires: null }, n: 1, user: 'alice' });
        await expectPttl('s1', (ms) => expect(ms).toBe(-1));
        await sleep(200);
        expect(await store.get('s1')).toEqual({
          cookie: { originalMaxAge: null, expires: null },
          n: 1,
          user: 'alice',
        });
        expect(await store.listUserSessions('alice')).toEqual(['s1']);
        expect(await store.length()).toBe(1);
        await store.destroy('s1');
        expect(await store.get('s1')).toBeNull();
      });

      it('a session whose cookie expired reads as none; a touch moves the expiry without a key lifetime', async () => {
        const store = makeStore({ disableTTL: true, touchAfter: 0 });
        await store.set('s1', sessionWith({ n: 1 }, { expires: new Date(Date.now() + 200) }));
        await expectPttl('s1', (ms) => expect(ms).toBe(-1));
        const later = new Date(Date.now() + 60_000);
        await store.touch('s1', withExpiry(await store.get('s1'), later));
        await expectPttl('s1', (ms) => expect(ms).toBe(-1));
        expect(await store.get('s1')).toMatchObject({ cookie: { expires: later.toISOString() } });
        await store.set('s2', sessionWith({ n: 2 }, { expires: new Date(Date.now() + 100) }));
        await sleep(150);
        expect(await store.get('s2')).toBeNull();
        expect(await store.get('s1')).toMatchObject({ n: 1 });
        // An expiry in the past deletes, as without disableTTL.
        await store.set('s1', sessionWith({ n: 1 }, { expires: new Date(Date.now() - 1) }));
        expect(await store.length()).toBe(1);
      });

      it('disableTTL with disableTouch: a touch writes nothing', async () => {
        const store = makeStore({ disableTTL: true, disableTouch: true });
        const first = new Date(Date.now() + 60_000);
        await store.set('s1', sessionWith({ n: 1 }, { expires: first }));
        await store.touch('s1', withExpiry(await store.get('s1'), new Date(Date.now() + 3_600_000)));
        expect(await store.get('s1')).toMatchObject({ cookie: { expires: first.toISOString() } });
      });
    });

    describe('ttl as a function of the session', () => {
      it("decides each session's lifetime over its cookie, in ms or as a duration string", async () => {
        const store = makeStore({ ttl: (session) => (session.role === 'admin' ? '200ms' : 3_600_000) });
        await store.set('admin', sessionWith({ role: 'admin' }, { maxAge: 3_600_000 }));
        await store.set('member', sessionWith({ role: 'member' }, { maxAge: 1_000 }));
        await expectPttl('member', (ms) => expect(ms).toBeGreaterThan(3_500_000));
        expect(await store.get('admin')).not.toBeNull();
        await waitFor(async () => (await store.get('admin')) === null);
        await sleep(1_100); // past the member's cookie maxAge: the function's hour decides
        expect(await store.get('member')).toMatchObject({ role: 'member' });
      });

      it('0 or less deletes the session; any other answer rejects the save, naming the option', async () => {
        let answer: unknown = '1h';
        const store = makeStore({ ttl: () => answer as '1h' });
        await store.set('s1', sessionWith({ n: 1 }));
        answer = 0;
        await store.set('s1', sessionWith({ n: 2 }));
        expect(await store.get('s1')).toBeNull();
        for (const bad of ['soon', null, Number.NaN, Number.POSITIVE_INFINITY, Promise.resolve(1_000)]) {
          answer = bad;
          await expect(store.set('s2', sessionWith({ n: 1 }))).rejects.toMatchObject({
            code: 'ERR_RW_SESSION_TTL',
            message: expect.stringContaining('`ttl` function'),
          });
        }
        expect(await store.get('s2')).toBeNull();
      });

      it('a touch moves the key to the lifetime the function gives', async () => {
        const store = makeStore({ ttl: () => '1h', touchAfter: 0 });
        await store.set('s1', sessionWith({ n: 1 }, { maxAge: 1_000 }));
        if (target.name !== 'memory') {
          await onOwner(target, dataKey('s1'), ['PEXPIRE', dataKey('s1'), 5_000]);
          await store.touch('s1', sessionWith({ n: 1 }, { maxAge: 1_000 }));
          await expectPttl('s1', (ms) => expect(ms).toBeGreaterThan(3_500_000));
        }
        await sleep(1_100);
        expect(await store.get('s1')).toMatchObject({ n: 1 });
      });
    });

    describe('async serializers', () => {
      const delayed = <T>(value: () => T) =>
        new Promise<T>((resolve) => setImmediate(() => resolve(value())));

      it('awaits parse and stringify, keeping the cookie expiry, with and without encryption', async () => {
        for (const encryptionKeys of [undefined, ['k'.repeat(32)]]) {
          const store = makeStore({
            encryptionKeys,
            serializer: {
              stringify: (value) => delayed(() => JSON.stringify(value)),
              parse: (text) => delayed(() => JSON.parse(text)),
            },
          });
          const expires = new Date(Date.now() + 60_000);
          const session = { cookie: { originalMaxAge: 60_000, expires: expires.toISOString() }, n: 1 };
          await store.set('s1', session);
          expect(await store.get('s1')).toEqual(session);
          expect(await store.all()).toEqual({ s1: session });
        }
      });

      it('a parse that rejects is a corrupt record (no session), not a failure', async () => {
        const store = makeStore({
          serializer: {
            stringify: JSON.stringify,
            parse: (text) =>
              text.includes('poison') ? Promise.reject(new SyntaxError('bad')) : JSON.parse(text),
          },
        });
        const events: Array<CorruptSessionEvent | unknown> = [];
        store.on('corrupt', (event) => events.push(event));
        store.on('failure', (event) => events.push(event));
        await store.set('s1', sessionWith({ poison: true }));
        expect(await store.get('s1')).toBeNull();
        expect(events).toEqual([{ id: 's1', error: expect.any(SyntaxError) }]);
      });

      it('a stringify that rejects or resolves to a non-string rejects the save; nothing is written', async () => {
        let answer: () => Promise<unknown> = () => Promise.reject(new Error('cannot stringify'));
        const store = makeStore({
          serializer: { stringify: () => answer() as Promise<string>, parse: JSON.parse },
        });
        await expect(store.set('s1', sessionWith({ n: 1 }))).rejects.toThrow('cannot stringify');
        answer = async () => 42;
        await expect(store.set('s1', sessionWith({ n: 1 }))).rejects.toThrow(TypeError);
        expect(await store.length()).toBe(0);
      });
    });

    describe('tombstones', () => {
      it('clear() removes them: a destroyed id can be saved again at once', async () => {
        const store = makeStore();
        await store.set('s1', sessionWith({ n: 1 }));
        await store.destroy('s1');
        await store.set('s1', sessionWith({ n: 2 }));
        expect(await store.get('s1')).toBeNull(); // refused: the tombstone
        await store.clear();
        await store.set('s1', sessionWith({ n: 3 }));
        expect(await store.get('s1')).toMatchObject({ n: 3 });
        if (target.name !== 'memory') {
          const tombstone = `${prefix}sid:{s1}:destroyed`;
          await store.destroy('s1');
          expect(await onOwner(target, tombstone, ['EXISTS', tombstone])).toBe(1);
          await store.clear();
          expect(await onOwner(target, tombstone, ['EXISTS', tombstone])).toBe(0);
        }
      });

      it('tombstoneTtl 0 leaves none: a save after a destroy stores the session again, as with connect-redis', async () => {
        const store = makeStore({ tombstoneTtl: 0 });
        const refused: unknown[] = [];
        store.on('writeAfterDestroy', (event) => refused.push(event));
        await store.set('s1', sessionWith({ n: 1, user: 'alice' }));
        await store.destroy('s1');
        expect(await store.get('s1')).toBeNull();
        await store.set('s1', sessionWith({ n: 2, user: 'alice' }));
        expect(await store.get('s1')).toMatchObject({ n: 2 });
        expect(await store.destroyUserSessions('alice')).toBe(1);
        expect(await store.get('s1')).toBeNull();
        expect(refused).toEqual([]);
      });
    });

    if (target.name !== 'memory') {
      it('scanCount is the COUNT of each SCAN that ids(), all(), length() and clear() send', async () => {
        const store = makeStore({ scanCount: 5 });
        const wide = makeStore({ scanCount: 1_000 });
        await Promise.all(Array.from({ length: 60 }, (_, i) => store.set(`s${i}`, sessionWith({ i }))));
        const narrow = await commandsDuring(target.masters(), () => store.length());
        const broad = await commandsDuring(target.masters(), () => wide.length());
        expect(await store.length()).toBe(60);
        // COUNT is a hint (Redis visits hash buckets): 60 keys 5 at a time take about 12 SCANs,
        // 1,000 at a time about one per master.
        expect(broad.scan).toBeLessThanOrEqual(target.masters().length * 2);
        expect(narrow.scan).toBeGreaterThanOrEqual(Math.max(6, 2 * (broad.scan ?? 0) + 1));
        await store.clear();
        expect(await wide.length()).toBe(0);
      });
    }
  },
);
