import { type RedisTarget, useRedisTargets } from '@rediware/testing';
import fc from 'fast-check';
import { createSessionStore, type SessionStore } from '../src';

// get(id) after set(id, x) gives back x as the serializer stored it (for JSON: what
// JSON.parse(JSON.stringify(x)) gives), nothing added or dropped: a cookie with an expiry, with
// `expires: null` (a browser-session cookie) or with no `expires` at all, as connect-redis's own
// test expects of `{ cookie: { originalMaxAge: null } }`.

/** Keys a read refuses (see session-shape.ts) or that are the cookie: not session data. */
const refusedKeys = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'cookie',
  'save',
  'isModified',
  'isSaved',
  'regenerate',
  'reload',
  'destroy',
  'touch',
  'resetMaxAge',
]);
const dataKey = fc.string({ maxLength: 12 }).filter((key) => !refusedKeys.has(key));
const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const dataValue = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 4 }),
  fc.dictionary(dataKey, leaf, { maxKeys: 4 }),
);

const futureExpiry = fc
  .integer({ min: 60_000, max: 365 * 86_400_000 })
  .map((inMs) => new Date(Date.now() + inMs).toISOString());
const cookie = fc.record(
  {
    originalMaxAge: fc.option(fc.integer({ min: 60_000, max: 365 * 86_400_000 }), { nil: null }),
    expires: fc.option(futureExpiry, { nil: null }),
    maxAge: fc.integer({ min: 60_000, max: 86_400_000 }),
    path: fc.constantFrom('/', '/app'),
    httpOnly: fc.boolean(),
    secure: fc.oneof(fc.boolean(), fc.constant('auto' as const)),
    sameSite: fc.constantFrom('lax', 'strict', 'none', true, false),
    domain: fc.option(fc.constantFrom('example.com', '.example.org'), { nil: null }),
  },
  { requiredKeys: ['originalMaxAge'] },
);
const session = fc
  .tuple(cookie, fc.dictionary(dataKey, dataValue, { maxKeys: 6 }))
  .map(([sessionCookie, data]) => ({ ...data, cookie: sessionCookie }));

describe.each(useRedisTargets(['memory', 'ioredis']))('get after set on $name', (target: RedisTarget) => {
  const stores: SessionStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it.each([
    ['JSON', undefined],
    ['JSON, encrypted', ['k'.repeat(32)]],
  ])('gives back exactly the session that was set (%s)', async (_name, encryptionKeys) => {
    const store = createSessionStore({ redis: target.client(), prefix: 'rwprop:exact:', encryptionKeys });
    stores.push(store);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(session, async (stored) => {
        n += 1;
        const id = `s${n}`;
        await store.set(id, stored);
        expect(await store.get(id)).toEqual(JSON.parse(JSON.stringify(stored)));
      }),
      { numRuns: 150 },
    );
  });

  it('the cases by name: no expires, expires null, an expiry as a Date', async () => {
    const store = createSessionStore({ redis: target.client(), prefix: 'rwprop:exact:' });
    stores.push(store);
    const expires = new Date(Date.now() + 60_000);
    const cases = [
      { foo: 'bar', cookie: { originalMaxAge: null } },
      { cookie: { originalMaxAge: null, expires: null } },
      { cookie: { originalMaxAge: 60_000, expires } },
    ];
    for (const [i, stored] of cases.entries()) {
      await store.set(`case${i}`, stored);
      expect(await store.get(`case${i}`)).toEqual(JSON.parse(JSON.stringify(stored)));
    }
    expect(await store.get('case0')).not.toHaveProperty('cookie.expires');
    expect(await store.get('case2')).toHaveProperty('cookie.expires', expires.toISOString());
  });
});
