import { fileURLToPath } from 'node:url';
import { oldGenerationGrowth } from '@rediware/testing';
import fc from 'fast-check';
import { IndexedSet } from '../src/indexed-set';

interface Item {
  id: number;
  setIndex: number;
}

describe('IndexedSet', () => {
  it('holds what a Set would, whatever the adds and deletes', () => {
    const step = fc.record({ add: fc.boolean(), id: fc.nat(15) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const items = Array.from({ length: 16 }, (_, id): Item => ({ id, setIndex: -1 }));
        const set = new IndexedSet<Item>();
        const model = new Set<Item>();
        for (const { add, id } of steps) {
          const item = items[id] as Item;
          if (add) {
            set.add(item);
            model.add(item);
          } else {
            expect(set.delete(item)).toBe(model.delete(item));
          }
          expect(set.size).toBe(model.size);
        }
        const ids = (values: Iterable<Item>) => [...values].map((item) => item.id).sort((a, b) => a - b);
        expect(ids(set.values())).toEqual(ids(model));
        for (const item of items) expect(item.setIndex >= 0).toBe(model.has(item));
      }),
    );
  });

  it('refuses to delete an item of another set', () => {
    const [mine, theirs] = [new IndexedSet<Item>(), new IndexedSet<Item>()];
    const [a, b] = [
      { id: 1, setIndex: -1 },
      { id: 2, setIndex: -1 },
    ];
    mine.add(a);
    theirs.add(b);
    expect(mine.delete(b)).toBe(false);
    expect(mine.values()).toEqual([a]);
    expect(theirs.values()).toEqual([b]);
  });

  it('hands out a copy: deleting while going through it skips nothing', () => {
    const set = new IndexedSet<Item>();
    const items = Array.from({ length: 5 }, (_, id): Item => ({ id, setIndex: -1 }));
    for (const item of items) set.add(item);
    const seen: number[] = [];
    for (const item of set.values()) {
      seen.push(item.id);
      set.delete(item);
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(set.size).toBe(0);
  });

  it('does not fill the old generation under churn, where a long-lived Set does', async () => {
    // 100,000 requests, 50 in flight at a time, each adding its item and deleting it when done.
    const grownBy = (container: string) =>
      oldGenerationGrowth({
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        setup: `import { IndexedSet } from './src/indexed-set.ts';
          const set = new ${container}();
          const inFlight = [];`,
        step: `const item = { setIndex: -1, payload: new Array(32).fill(i) };
          set.add(item);
          inFlight.push(item);
          if (inFlight.length > 50) set.delete(inFlight.shift());`,
        iterations: 100_000,
      });
    // The control: a Set's discarded tables carry its items into the old generation (11-13 MB here).
    expect(await grownBy('Set')).toBeGreaterThan(4e6);
    expect(await grownBy('IndexedSet')).toBeLessThan(1e6);
  });
});
