import { setTimeout as sleep } from 'node:timers/promises';
import { onOwner, type RedisTarget, redisCommand, useRedisTargets, waitFor } from '@rediware/testing';
import {
  type CorruptSessionEvent,
  createSessionStore,
  type SessionStore,
  type SessionStoreOptions,
  type WriteAfterDestroyEvent,
} from '../src';
import { commandsDuring, sessionWith } from './fixtures';

type Data = Record<string, unknown> & { user?: string };

const prefix = 'rwtest:sess:';
const secretA = 'a'.repeat(32);
const secretB = 'b'.repeat(40);

/** The loaded session as the next request saves it: the same data, its cookie moved to `expires`. */
function withExpiry(session: Data | null, expires: Date): Data {
  return { ...session, cookie: { ...(session?.cookie as object), expires } };
}

describe.each(useRedisTargets())('session store on $name', (target: RedisTarget) => {
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
  const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;
  const indexKey = (user: string) => `${prefix}uid:{${user}}:sessions`;

  beforeEach(() => target.flush());
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  describe('get, set and lifetime', () => {
    it('stores and returns a session, with its cookie expiry; an unknown id is null', async () => {
      const store = makeStore();
      const expires = new Date(Date.now() + 60_000);
      await store.set(
        's1',
        sessionWith({ n: 1, nested: { a: [1, 2] } }, { expires, originalMaxAge: 60_000 }),
      );
      expect(await store.get('s1')).toEqual({
        n: 1,
        nested: { a: [1, 2] },
        cookie: { originalMaxAge: 60_000, expires: expires.toISOString() },
      });
      expect(await store.get('nope')).toBeNull();
    });

    it('reads an empty id (a forged cookie can carry one) as no session; writing one is an error', async () => {
      const store = makeStore();
      expect(await store.get('')).toBeNull();
      await expect(store.set('', sessionWith({ n: 1 }))).rejects.toMatchObject({ code: 'ERR_RW_SESSION_ID' });
    });

    it("takes the lifetime from the cookie's maxAge, over the ttl option", async () => {
      const store = makeStore({ ttl: '200ms' });
      await store.set('long', sessionWith({}, { maxAge: 60_000 }));
      await store.set('short', sessionWith({}, { maxAge: 150 }));
      expect(await store.get('short')).not.toBeNull();
      await waitFor(async () => (await store.get('short')) === null);
      await sleep(250);
      expect(await store.get('long')).not.toBeNull();
    });

    it('uses ttl when the cookie has no expiry', async () => {
      const store = makeStore({ ttl: '150ms' });
      await store.set('browser', { cookie: { originalMaxAge: null, expires: null }, n: 1 });
      expect(await store.get('browser')).toMatchObject({ n: 1, cookie: { expires: null } });
      await waitFor(async () => (await store.get('browser')) === null);
    });

    it('deletes a session saved with an expiry in the past', async () => {
      const store = makeStore();
      await store.set('s1', sessionWith({ n: 1 }));
      await store.set('s1', sessionWith({ n: 2 }, { expires: new Date(Date.now() - 1_000) }));
      expect(await store.get('s1')).toBeNull();
    });

    it('replaces the whole session on set (removed fields stay removed)', async () => {
      const store = makeStore();
      await store.set('s1', sessionWith({ a: 1, b: 2 }));
      await store.set('s1', sessionWith({ a: 3 }));
      expect(await store.get('s1')).toMatchObject({ a: 3 });
      expect(await store.get('s1')).not.toHaveProperty('b');
    });

    it('handles many concurrent callers on distinct sessions', async () => {
      const store = makeStore();
      const ids = Array.from({ length: 200 }, (_, i) => `c${i}`);
      await Promise.all(ids.map((id, i) => store.set(id, sessionWith({ i }))));
      const loaded = await Promise.all(ids.map((id) => store.get(id)));
      expect(loaded.map((session) => session?.i)).toEqual(ids.map((_, i) => i));
    });
  });

  describe('touch and touchAfter', () => {
    it("moves the stored cookie's expires without rewriting the data", async () => {
      const store = makeStore();
      const first = new Date(Date.now() + 60_000);
      const later = new Date(Date.now() + 120_000);
      await store.set('s1', sessionWith({ n: 1 }, { expires: first }));
      // The touching request loaded n: 1 and changed nothing it saved; another request's save must survive.
      await store.set('s1', sessionWith({ n: 2 }, { expires: first }));
      await store.touch('s1', sessionWith({ n: 1 }, { expires: later }));
      expect(await store.get('s1')).toMatchObject({ n: 2, cookie: { expires: later.toISOString() } });
    });

    it('never creates a session, and an expiry in the past deletes', async () => {
      const store = makeStore();
      await store.touch('ghost', sessionWith({ n: 1 }));
      expect(await store.get('ghost')).toBeNull();
      await store.set('s1', sessionWith({ n: 1 }));
      await store.touch('s1', sessionWith({ n: 1 }, { expires: new Date(Date.now() - 1) }));
      expect(await store.get('s1')).toBeNull();
    });

    it('with touchAfter, a touch or an unchanged save moving the expiry by less writes nothing', async () => {
      const store = makeStore({ touchAfter: '1h' });
      const first = new Date(Date.now() + 86_400_000);
      await store.set('s1', sessionWith({ n: 1 }, { expires: first }));
      const loaded = await store.get('s1');
      const nearby = new Date(first.getTime() + 60_000);
      await store.touch('s1', withExpiry(loaded, nearby));
      await store.set('s1', withExpiry(loaded, nearby));
      expect(await store.get('s1')).toMatchObject({ cookie: { expires: first.toISOString() } });
      // A changed session is always saved; a touch far enough always writes.
      await store.set('s1', { ...withExpiry(loaded, nearby), n: 2 });
      expect(await store.get('s1')).toMatchObject({ n: 2, cookie: { expires: nearby.toISOString() } });
      const far = new Date(first.getTime() + 2 * 3_600_000);
      await store.touch('s1', withExpiry(loaded, far));
      expect(await store.get('s1')).toMatchObject({ n: 2, cookie: { expires: far.toISOString() } });
    });

    it("by default, a touch writes once it moves the expiry by 1m or a tenth of the session's lifetime", async () => {
      const store = makeStore();
      const check = async (lifetime: number, skipped: number, written: number) => {
        const first = new Date(Date.now() + lifetime);
        await store.set('s1', sessionWith({ n: 1 }, { expires: first }));
        const loaded = await store.get('s1');
        await store.touch('s1', withExpiry(loaded, new Date(first.getTime() + skipped)));
        expect(await store.get('s1')).toMatchObject({ cookie: { expires: first.toISOString() } });
        const moved = new Date(first.getTime() + written);
        await store.touch('s1', withExpiry(loaded, moved));
        expect(await store.get('s1')).toMatchObject({ cookie: { expires: moved.toISOString() } });
      };
      await check(86_400_000, 50_000, 70_000); // a day: touchAfter's 1m
      await check(10_000, 500, 2_000); // 10 s: a tenth of it, 1 s
    });

    it('with touchAfter 0, every touch writes', async () => {
      const store = makeStore({ touchAfter: 0 });
      const first = new Date(Date.now() + 86_400_000);
      await store.set('s1', sessionWith({ n: 1 }, { expires: first }));
      const moved = new Date(first.getTime() + 1);
      await store.touch('s1', withExpiry(await store.get('s1'), moved));
      expect(await store.get('s1')).toMatchObject({ cookie: { expires: moved.toISOString() } });
    });

    if (target.name !== 'memory') {
      it('by default, a read-only request (get + touch) is exactly one HMGET and no write', async () => {
        const store = makeStore();
        await store.set('s1', sessionWith({ user: 'alice' }, { maxAge: 3_600_000 }));
        await store.get('s1'); // the scripts are loaded: EVALSHA never falls back to EVAL below
        const ran = await commandsDuring(target.masters(), async () => {
          const loaded = await store.get('s1');
          await store.touch('s1', sessionWith({ user: 'alice' }, { maxAge: 3_600_000 }));
          await store.set('s1', { ...loaded, cookie: { originalMaxAge: 3_600_000, maxAge: 3_600_000 } });
        });
        expect(ran).toEqual({ hmget: 1 });
      });

      it('a session stored before the deadline field existed is read, and its next touch writes one', async () => {
        const store = makeStore({ ttl: '1h' });
        await store.set('s1', sessionWith({ n: 1 }, {}));
        await onOwner(target, dataKey('s1'), ['HDEL', dataKey('s1'), 'deadline']);
        const fresh = makeStore({ ttl: '1h' }); // nothing remembered from the set above
        // A cookie without expires: only the deadline field tells a read when the key expires.
        const ran = await commandsDuring(target.masters(), async () => {
          expect(await fresh.get('s1')).toMatchObject({ n: 1 });
          await fresh.touch('s1', sessionWith({ n: 1 }, {}));
        });
        expect(ran.evalsha).toBe(1);
        const deadline = Number(await onOwner(target, dataKey('s1'), ['HGET', dataKey('s1'), 'deadline']));
        expect(Math.abs(deadline - (Date.now() + 3_600_000))).toBeLessThan(5_000);
        const touched = await commandsDuring(target.masters(), async () => {
          await fresh.get('s1');
          await fresh.touch('s1', sessionWith({ n: 1 }, {}));
        });
        expect(touched).toEqual({ hmget: 1 });
      });
    }
  });

  describe('destroy', () => {
    it('destroys a session, and a slow set arriving afterwards does not bring it back', async () => {
      const store = makeStore();
      const refused: WriteAfterDestroyEvent[] = [];
      store.on('writeAfterDestroy', (event) => refused.push(event));
      await store.set('s1', sessionWith({ user: 'alice', n: 1 }));
      const slowRequest = await store.get('s1'); // loaded before the log-out...
      await store.destroy('s1');
      await store.set('s1', { ...slowRequest, n: 2 }); // ...saved after it
      await store.touch('s1', { ...slowRequest });
      expect(await store.get('s1')).toBeNull();
      expect(await store.listUserSessions('alice')).toEqual([]);
      expect(refused).toEqual([
        { id: 's1', operation: 'set' },
        { id: 's1', operation: 'touch' },
      ]);
      // A new id (regenerate) is unaffected.
      await store.set('s2', { ...slowRequest, n: 3 });
      expect(await store.get('s2')).toMatchObject({ n: 3 });
    });

    it('keeps a session destroyed while many concurrent saves race the destroy', async () => {
      const store = makeStore();
      await store.set('s1', sessionWith({ user: 'alice', n: 0 }));
      const saves = Array.from({ length: 50 }, (_, n) => store.set('s1', sessionWith({ user: 'alice', n })));
      await store.destroy('s1');
      await Promise.all(saves);
      expect(await store.get('s1')).toBeNull();
      expect(await store.listUserSessions('alice')).toEqual([]);
    });

    it('lets a destroyed id be written again once the tombstone expired', async () => {
      const store = makeStore({ tombstoneTtl: '100ms' });
      await store.set('s1', sessionWith({ n: 1 }));
      await store.destroy('s1');
      await sleep(150);
      await store.set('s1', sessionWith({ n: 2 }));
      expect(await store.get('s1')).toMatchObject({ n: 2 });
    });
  });

  describe('corrupt records', () => {
    it('treats a record the serializer cannot parse as no session and emits corrupt', async () => {
      const store = makeStore({
        serializer: {
          stringify: JSON.stringify,
          parse: (text) => {
            if (text.includes('poison')) throw new SyntaxError('bad record');
            return JSON.parse(text);
          },
        },
      });
      const corrupt: CorruptSessionEvent[] = [];
      store.on('corrupt', (event) => corrupt.push(event));
      await store.set('s1', sessionWith({ poison: true }));
      await store.set('s2', sessionWith({ fine: true }));
      expect(await store.get('s1')).toBeNull();
      expect(corrupt).toEqual([{ id: 's1', error: expect.any(SyntaxError) }]);
      expect(await store.all()).toEqual({ s2: expect.objectContaining({ fine: true }) });
    });

    it.each<[string, (text: string) => unknown]>([
      [
        'throws',
        () => {
          throw new Error('cannot parse');
        },
      ],
      ['returns a string', (text) => text],
      ['returns null', () => null],
      ['returns an array', () => [1]],
      ['returns a session without a cookie', () => ({ n: 1 })],
      ['returns a cookie with a string maxAge', () => ({ cookie: { originalMaxAge: '60000' } })],
      ['returns an invalid Date as _expires', () => ({ cookie: { _expires: new Date(Number.NaN) } })],
      ['returns an own __proto__ key', () => JSON.parse('{"cookie":{},"__proto__":{"save":1}}')],
    ])(
      'a serializer whose parse %s gives no session and a corrupt event, not a failure',
      async (_name, parse) => {
        for (const encryptionKeys of [undefined, [secretA]]) {
          const store = makeStore({ serializer: { stringify: JSON.stringify, parse }, encryptionKeys });
          const events: unknown[] = [];
          store.on('corrupt', (event) => events.push(event));
          store.on('failure', (event) => events.push(event));
          await store.set('s1', sessionWith({ n: 1 }));
          expect(await store.get('s1')).toBeNull();
          expect(events).toEqual([{ id: 's1', error: expect.any(Error) }]);
        }
      },
    );

    it('refuses to store data a read would refuse (a prototype key at any depth), naming why; nothing is written', async () => {
      const store = makeStore();
      await store.set('s1', sessionWith({ n: 1 }));
      for (const data of [
        JSON.parse('{"__proto__":{"admin":true}}'),
        { profile: { constructor: 'Ferrari' } },
        { list: [[{ prototype: {} }]] },
      ]) {
        await expect(store.set('s1', sessionWith(data))).rejects.toMatchObject({
          code: 'ERR_RW_SESSION_DATA',
          message: expect.stringMatching(/`(__proto__|constructor|prototype)` key/),
        });
      }
      expect(await store.get('s1')).toMatchObject({ n: 1 });
    });

    it("reads back what a custom serializer revives, Dates included, with the store's expiry", async () => {
      const store = makeStore({
        serializer: {
          stringify: JSON.stringify,
          parse: (text) => ({ ...JSON.parse(text), at: new Date(0), cookie: { _expires: new Date() } }),
        },
      });
      const expires = new Date(Date.now() + 60_000);
      await store.set('s1', sessionWith({ n: 1 }, { expires }));
      expect(await store.get('s1')).toEqual({
        n: 1,
        at: new Date(0),
        cookie: { expires: expires.toISOString() },
      });
    });

    if (target.name !== 'memory') {
      it('treats garbage written to Redis as no session', async () => {
        const store = makeStore();
        const corrupt: CorruptSessionEvent[] = [];
        store.on('corrupt', (event) => corrupt.push(event));
        await store.set('s1', sessionWith({ n: 1 }));
        await onOwner(target, dataKey('s1'), ['HSET', dataKey('s1'), 'data', '{"cookie":{']);
        expect(await store.get('s1')).toBeNull();
        await onOwner(target, dataKey('s1'), ['HSET', dataKey('s1'), 'data', '[1,2]']);
        expect(await store.get('s1')).toBeNull();
        expect(corrupt).toHaveLength(2);
      });
    }
  });

  describe('per-user index', () => {
    it('lists and destroys every session of a user (log out everywhere), and only theirs', async () => {
      const store = makeStore();
      await Promise.all([
        store.set('a1', sessionWith({ user: 'alice' })),
        store.set('a2', sessionWith({ user: 'alice' })),
        store.set('a3', sessionWith({ user: 'alice' })),
        store.set('b1', sessionWith({ user: 'bob' })),
        store.set('anon', sessionWith({})),
      ]);
      expect((await store.listUserSessions('alice')).sort()).toEqual(['a1', 'a2', 'a3']);
      expect(await store.destroyUserSessions('alice')).toBe(3);
      expect(await Promise.all(['a1', 'a2', 'a3'].map((id) => store.get(id)))).toEqual([null, null, null]);
      expect(await store.listUserSessions('alice')).toEqual([]);
      expect(await store.listUserSessions('bob')).toEqual(['b1']);
      expect(await store.get('anon')).not.toBeNull();
      // A request of a logged-out session that saves late stays logged out.
      await store.set('a1', sessionWith({ user: 'alice', late: true }));
      expect(await store.get('a1')).toBeNull();
    });

    it('follows a session from anonymous to a user, to another user, and out', async () => {
      const store = makeStore();
      await store.set('s1', sessionWith({}));
      expect(await store.listUserSessions('alice')).toEqual([]);
      await store.set('s1', sessionWith({ user: 'alice' }));
      expect(await store.listUserSessions('alice')).toEqual(['s1']);
      await store.set('s1', sessionWith({ user: 'carol' }));
      if (target.name !== 'memory') {
        // Removed from the old user's index at the write, not only filtered out when listing.
        expect(await onOwner(target, indexKey('alice'), ['EXISTS', indexKey('alice')])).toBe(0);
      }
      expect(await store.listUserSessions('alice')).toEqual([]);
      expect(await store.listUserSessions('carol')).toEqual(['s1']);
      expect(await store.destroyUserSessions('alice')).toBe(0);
      expect(await store.get('s1')).not.toBeNull();
      await store.destroy('s1');
      if (target.name !== 'memory') {
        expect(await onOwner(target, indexKey('carol'), ['EXISTS', indexKey('carol')])).toBe(0);
      }
      expect(await store.listUserSessions('carol')).toEqual([]);
    });

    it('drops sessions that expired from the index', async () => {
      const store = makeStore();
      await store.set('short', sessionWith({ user: 'alice' }, { maxAge: 100 }));
      await store.set('long', sessionWith({ user: 'alice' }, { maxAge: 60_000 }));
      await sleep(150);
      expect(await store.listUserSessions('alice')).toEqual(['long']);
      expect(await store.destroyUserSessions('alice')).toBe(1);
    });

    it('indexes many concurrent logins of one user', async () => {
      const store = makeStore();
      const ids = Array.from({ length: 60 }, (_, i) => `login-${i}`);
      await Promise.all(ids.map((id) => store.set(id, sessionWith({ user: 'alice' }))));
      expect((await store.listUserSessions('alice')).sort()).toEqual([...ids].sort());
      expect(await store.destroyUserSessions('alice')).toBe(60);
      expect(await store.length()).toBe(0);
    });

    it('refuses the user methods without the userId option', async () => {
      const store = makeStore({ userId: undefined });
      await expect(store.listUserSessions('alice')).rejects.toMatchObject({
        code: 'ERR_RW_SESSION_NO_USER_INDEX',
      });
    });
  });

  describe('all, ids, length, clear', () => {
    it('visit every session on every master and delete them key by key', async () => {
      const store = makeStore();
      const ids = Array.from({ length: 40 }, (_, i) => `all-${i}`);
      await Promise.all(ids.map((id, i) => store.set(id, sessionWith({ i, user: `u${i % 3}` }))));
      const other = makeStore({ prefix: 'rwtest:other:' });
      await other.set('foreign', sessionWith({}));
      if (target.cluster) {
        const sizes = await Promise.all(target.masters().map((master) => redisCommand(master, ['DBSIZE'])));
        expect(sizes.every((size) => Number(size) > 0)).toBe(true);
      }
      expect((await store.ids()).sort()).toEqual([...ids].sort());
      expect(await store.length()).toBe(40);
      const all = await store.all();
      expect(Object.keys(all).sort()).toEqual([...ids].sort());
      expect(all['all-7']).toMatchObject({ i: 7 });
      await store.clear();
      expect(await store.length()).toBe(0);
      expect(await store.listUserSessions('u1')).toEqual([]);
      expect(await other.length()).toBe(1);
    });
  });

  describe('encryption and hashed ids', () => {
    it('encrypts what it stores and reads it back', async () => {
      const store = makeStore({ encryptionKeys: [secretA] });
      await store.set('s1', sessionWith({ secret: 'the-plaintext' }));
      expect(await store.get('s1')).toMatchObject({ secret: 'the-plaintext' });
      if (target.name !== 'memory') {
        const raw = String(await onOwner(target, dataKey('s1'), ['HGET', dataKey('s1'), 'data']));
        expect(raw).toMatch(/^rw1\./);
        expect(raw).not.toContain('plaintext');
      }
    });

    if (target.name !== 'memory') {
      it('rotates keys: encrypts with the first, decrypts with any, and refuses moved records', async () => {
        const corrupt: CorruptSessionEvent[] = [];
        const old = makeStore({ encryptionKeys: [secretA] });
        await old.set('s1', sessionWith({ v: 'old' }));
        const rotated = makeStore({ encryptionKeys: [secretB, secretA] });
        rotated.on('corrupt', (event) => corrupt.push(event));
        expect(await rotated.get('s1')).toMatchObject({ v: 'old' });
        await rotated.set('s2', sessionWith({ v: 'new' }));
        const onlyNew = makeStore({ encryptionKeys: [secretB] });
        onlyNew.on('corrupt', (event) => corrupt.push(event));
        expect(await onlyNew.get('s2')).toMatchObject({ v: 'new' });
        expect(await onlyNew.get('s1')).toBeNull();
        // The id is authenticated: a record copied under another id does not decrypt.
        const copied = String(await onOwner(target, dataKey('s2'), ['HGET', dataKey('s2'), 'data']));
        await rotated.set('s3', sessionWith({ v: 'mine' }));
        await onOwner(target, dataKey('s3'), ['HSET', dataKey('s3'), 'data', copied]);
        expect(await rotated.get('s3')).toBeNull();
        expect(corrupt.map((event) => event.id)).toEqual(['s1', 's3']);
      });
    }

    it('stores ids hashed, so the keys do not reveal live session ids', async () => {
      const store = makeStore({ hashIds: true });
      const id = 'live-session-id-1234';
      await store.set(id, sessionWith({ user: 'alice' }));
      expect(await store.get(id)).toMatchObject({ user: 'alice' });
      const ids = await store.ids();
      expect(ids).toHaveLength(1);
      expect(ids[0]).not.toContain(id);
      expect(await store.listUserSessions('alice')).toEqual(ids);
      if (target.name !== 'memory') {
        expect(await onOwner(target, dataKey(id), ['EXISTS', dataKey(id)])).toBe(0);
      }
      expect(await store.destroyUserSessions('alice')).toBe(1);
      expect(await store.get(id)).toBeNull();
    });
  });
});
