import { MemoryStore } from '../src';

describe('MemoryStore', () => {
  let now = 1_000_000;
  const clock = () => now;
  let store: MemoryStore;

  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryStore({ clock, maxEntries: 3, sweepIntervalMs: 60_000 });
  });
  afterEach(() => store.close());

  it('expires keys on the given clock, with PTTL semantics', () => {
    store.set('a', 'x', 1000);
    store.set('b', 'y');
    expect(store.ttl('a')).toBe(1000);
    expect(store.ttl('b')).toBe(-1);
    expect(store.ttl('missing')).toBe(-2);
    now += 999;
    expect(store.get('a')).toBe('x');
    now += 1;
    expect(store.get('a')).toBeUndefined();
    expect(store.ttl('a')).toBe(-2);
    expect(store.get('b')).toBe('y');
  });

  it('expire, persist and replace keep Redis semantics', () => {
    store.set('a', 1, 1000);
    expect(store.expire('a', 5000)).toBe(true);
    expect(store.ttl('a')).toBe(5000);
    expect(store.expire('missing', 5000)).toBe(false);
    now += 1000;
    store.replace('a', 2);
    expect(store.ttl('a')).toBe(4000);
    expect(store.get('a')).toBe(2);
    expect(store.persist('a')).toBe(true);
    expect(store.ttl('a')).toBe(-1);
    expect(store.expire('a', 0)).toBe(true);
    expect(store.has('a')).toBe(false);
    store.set('b', 1, -5);
    expect(store.has('b')).toBe(false);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    store.set('a', 1);
    store.set('b', 2);
    store.set('c', 3);
    store.get('a');
    store.set('d', 4);
    expect([...store.keys()].sort()).toEqual(['a', 'c', 'd']);
    expect(store.size).toBe(3);
  });

  it('does not list expired keys', () => {
    store.set('a', 1, 10);
    store.set('b', 2);
    now += 10;
    expect([...store.keys()]).toEqual(['b']);
  });
});

describe('MemoryStore sweep', () => {
  it('drops expired entries so they stop counting against the cap', () => {
    let now = 0;
    const store = new MemoryStore({ clock: () => now, maxEntries: 10, sweepIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) store.set(`k${i}`, i, 100);
    store.set('keep', 1);
    now = 100;
    store.sweep();
    expect(store.size).toBe(1);
    store.close();
  });
});
