import { setTimeout as sleep } from 'node:timers/promises';
import { allKeys, eventually, type ListeningApp, type RedisTarget, useRedisTargets } from '@rediware/testing';
import { type Framework, frameworks, listenWith } from '../helpers/neutral-apps';

/*
 * Issue #29 item 5: a path nobody stores must cost no Redis memory. The version stamps of a path
 * are read, not created, before the handler runs; only a write (or an invalidation) creates one.
 */

const targets = useRedisTargets(['memory', 'ioredis', 'ioredis-cluster']);

/** A prefix per test: a late store of an earlier test's app never counts in this one. */
let tests = 0;

/** Every key under `prefix` on every master of a Redis target (SCAN). */
async function keysUnder(target: RedisTarget, prefix: string): Promise<string[]> {
  const keys = await Promise.all(target.masters().map((master) => allKeys(master)));
  return keys.flat().filter((key) => key.startsWith(prefix));
}

describe.each(targets)('one-off paths on $name', (target) => {
  const apps: ListeningApp[] = [];
  beforeEach(() => target.flush());
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  describe.each(frameworks)('%s', (framework: Framework) => {
    let prefix: string;
    beforeEach(() => {
      prefix = `rw:p${++tests}:`;
    });

    const redisOnly = target.name === 'memory' ? it.skip : it;

    redisOnly(
      'with the default options, 1,000 distinct paths asked once leave no key but the admission counts',
      async () => {
        let calls = 0;
        // minUses undefined: the default (2), over the shared builder's 1.
        const app = await listenWith(
          framework,
          { redis: target.client(), prefix, minUses: undefined },
          () => ({
            headers: { 'content-type': 'text/plain' },
            body: `response ${++calls}`,
          }),
        );
        apps.push(app);
        const paths = Array.from({ length: 1_000 }, (_, i) => `/one-off/${i}`);
        for (let i = 0; i < paths.length; i += 25) {
          await Promise.all(
            paths.slice(i, i + 25).map(async (path) => {
              const response = await fetch(`${app.url}${path}`);
              expect(response.headers.get('x-cache')).toBe('MISS');
              await response.text();
            }),
          );
        }
        expect(calls).toBe(1_000);
        // A loader lock is given back just after the response went out (Fastify: after onSend).
        const keys = await eventually(async () => {
          const found = await keysUnder(target, prefix);
          // Admission counts in a few window keys; nothing per path: no entry, lock or stamp.
          expect(found.filter((key) => !key.includes('response-store'))).toEqual([]);
          return found;
        });
        expect(keys.length).toBeGreaterThan(0);
        expect(keys.length).toBeLessThanOrEqual(4);
      },
    );

    it('an unsafe request while the first GET of a path runs: the GET response is not stored', async () => {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = () => {};
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      let version = 0;
      // A generous timeout: the invalidation must not fail under a loaded machine (it would be reported, not thrown).
      const app = await listenWith(
        framework,
        { redis: target.client(), prefix, timeout: '5s' },
        async (request) => {
          if (request.method !== 'GET') {
            version++;
            return { status: 204 };
          }
          const seen = version;
          if (seen === 0) {
            started();
            await held;
          }
          return { headers: { 'content-type': 'text/plain' }, body: `version ${seen}` };
        },
      );
      apps.push(app);
      // Nothing stored under this path yet: its stamp is missing when the GET starts.
      const first = fetch(`${app.url}/doc`);
      await running;
      expect((await fetch(`${app.url}/doc`, { method: 'PUT' })).status).toBe(204);
      release();
      const before = await first;
      expect(await before.text()).toBe('version 0');
      // The GET's flight ends after its response went out (store or not, then the lock goes back):
      // a GET sent before that joins it in this process and shares its answer, a separate matter.
      await sleep(200);
      await eventually(async () => {
        expect((await keysUnder(target, prefix)).filter((key) => key.endsWith(':lock'))).toEqual([]);
      });
      const after = await fetch(`${app.url}/doc`);
      expect([after.headers.get('x-cache'), await after.text()]).toEqual(['MISS', 'version 1']);
      const again = await fetch(`${app.url}/doc`);
      expect([again.headers.get('x-cache'), await again.text()]).toEqual(['HIT', 'version 1']);
    });
  });
});
