import {
  type ListeningApp,
  type RedisTarget,
  scriptCalls,
  useRedisTargets,
  waitFor,
} from '@rediware/testing';
import { type Framework, frameworks, listenWith } from '../helpers/neutral-apps';

/*
 * Round trips of the response cache with the README's options (minUses 2), counted on a real
 * Redis: every round trip the cache makes on these paths is one script call (INFO commandstats).
 * A miss reads the entry and takes the loader lock in one script; the admission check, the write,
 * the lock's release and the bus message are one more (on a standalone server).
 */

const targets = useRedisTargets(['ioredis', 'node-redis', 'ioredis-cluster']);

describe.each(targets)('response cache round trips on $name', (target: RedisTarget) => {
  const apps: ListeningApp[] = [];
  beforeEach(() => target.flush());
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  const scripts = () => scriptCalls(target.masters());

  /** Script calls of one request, once the store after its response (if any) is done. */
  async function tripsOf(url: string, expected: number): Promise<{ cache: string | null; trips: number }> {
    const before = await scripts();
    const response = await fetch(url);
    await response.text();
    // Express stores after the response went out: wait for what is expected, then for nothing more.
    await waitFor(async () => (await scripts()) - before >= expected).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { cache: response.headers.get('x-cache'), trips: (await scripts()) - before };
  }

  describe.each(frameworks)('%s', (framework: Framework) => {
    it('a miss costs two round trips whether it is stored or not, and an L2 hit one (standalone)', async () => {
      let calls = 0;
      const app = await listenWith(framework, { redis: target.client(), minUses: undefined }, () => ({
        headers: { 'content-type': 'text/plain' },
        body: `response ${++calls}`,
      }));
      apps.push(app);
      const { url } = app;
      // On a cluster the keys are in several slots, each reached on its own: the path's stamp
      // (read before the handler runs, settled before the write, read again on a hit) and the
      // admission check; a release without a write is a script, then a PUBLISH.
      const trips = target.cluster ? { once: 4, twice: 5, hit: 2 } : { once: 2, twice: 2, hit: 1 };
      // Asked once: not admitted, so nothing is stored; the lock is given back in the same trip.
      expect(await tripsOf(`${url}/items`, trips.once)).toEqual({ cache: 'MISS', trips: trips.once });
      // Asked twice: admitted and stored.
      expect(await tripsOf(`${url}/items`, trips.twice)).toEqual({ cache: 'MISS', trips: trips.twice });
      expect(await tripsOf(`${url}/items`, trips.hit)).toEqual({ cache: 'HIT', trips: trips.hit });
      expect(calls).toBe(2);
    });
  });
});
