import { redisCommand, useRedisTargets } from '../src';

describe.each(useRedisTargets())('$name', (target) => {
  beforeEach(() => target.flush());

  if (target.name === 'memory') {
    it('has no client and no server', () => {
      expect(target.client()).toBeUndefined();
      expect(target.masters()).toEqual([]);
    });
    return;
  }

  it('hands out a connected client of its kind, on a server it can flush', async () => {
    const key = '{target}:key';
    switch (target.name) {
      case 'node-redis':
      case 'node-redis-cluster':
        await target.client().set(key, target.name);
        break;
      case 'ioredis':
      case 'ioredis-cluster':
        await target.client().set(key, target.name);
        break;
    }
    const sizes = await Promise.all(target.masters().map((node) => redisCommand(node, ['DBSIZE'])));
    expect(sizes.map(Number).reduce((sum, size) => sum + size, 0)).toBe(1);
    expect(target.masters()).toHaveLength(target.cluster ? 3 : 1);

    await target.flush();
    const after = await Promise.all(target.masters().map((node) => redisCommand(node, ['DBSIZE'])));
    expect(after.map(Number)).toEqual(after.map(() => 0));
  });
});

describe('REDIWARE_TARGETS', () => {
  process.env.REDIWARE_TARGETS = 'memory, ioredis';
  const targets = useRedisTargets();
  delete process.env.REDIWARE_TARGETS;

  it('restricts the default list', async () => {
    expect(targets.map((target) => target.name)).toEqual(['memory', 'ioredis']);
    const ioredis = targets.find((target) => target.name === 'ioredis');
    expect(await ioredis?.client().ping()).toBe('PONG');
  });

  it('rejects names it does not know', () => {
    process.env.REDIWARE_TARGETS = 'memory,redis-sentinel';
    try {
      expect(() => useRedisTargets()).toThrow(/unknown redis-sentinel; known: memory, node-redis/);
    } finally {
      delete process.env.REDIWARE_TARGETS;
    }
  });
});
