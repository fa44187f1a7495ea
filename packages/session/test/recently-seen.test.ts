import { fileURLToPath } from 'node:url';
import { oldGenerationGrowth } from '@rediware/testing';
import { RecentlySeen } from '../src/recently-seen';

describe('the touchAfter memory', () => {
  it('recalls the latest of each session, forgets on request, and keeps the most recently seen', () => {
    const seen = new RecentlySeen(2);
    seen.remember('a', { expiresAt: 1, digest: 'one' });
    seen.remember('b', { expiresAt: 2, digest: 'two' });
    seen.remember('a', { expiresAt: 3, digest: 'three' });
    seen.remember('c', { expiresAt: 4, digest: 'four' });
    expect(seen.recall('a')).toEqual({ expiresAt: 3, digest: 'three' });
    expect(seen.recall('b')).toBeUndefined();
    seen.forget('a');
    expect(seen.recall('a')).toBeUndefined();
    expect(seen.recall('c')).toEqual({ expiresAt: 4, digest: 'four' });
    seen.clear();
    expect(seen.recall('c')).toBeUndefined();
  });

  it('does not fill the old generation when the same sessions come back, where a Map kept in order does', async () => {
    // 300,000 requests from 1,000 sessions. The control keeps its order by deleting and setting
    // each session again, as this memory did before.
    const grownBy = (memory: string) =>
      oldGenerationGrowth({
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        setup: `import { RecentlySeen } from './src/recently-seen.ts';
          class MapInOrder {
            entries = new Map();
            remember(id, seen) {
              this.entries.delete(id);
              this.entries.set(id, seen);
            }
          }
          const seen = new ${memory}(10000);
          const ids = Array.from({ length: 1000 }, (_, i) => 'session-' + i);`,
        step: `seen.remember(ids[i % 1000], { expiresAt: i, digest: 'digest-' + i });`,
        iterations: 300_000,
      });
    expect(await grownBy('MapInOrder')).toBeGreaterThan(8e6);
    expect(await grownBy('RecentlySeen')).toBeLessThan(3e6);
  });
});
