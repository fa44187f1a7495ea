import { defineCommand, defineScript, RedisCommandError } from '../src';

/** INCRBY with an expiry set on creation: a small stand-in for the engines' scripts. */
export const counterScript = defineScript<[number, number]>({
  name: 'test-counter',
  lua: `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if value == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return { value, redis.call('PTTL', KEYS[1]) }`,
  memory({ store }, [key], [by, ttl]) {
    const k = key as string;
    const existed = store.has(k);
    const value = (store.get<number>(k) ?? 0) + Number(by);
    if (existed) store.replace(k, value);
    else store.set(k, value, Number(ttl));
    return [value, store.ttl(k)];
  },
});

export const nowScript = defineScript<number>({
  name: 'test-now',
  lua: 'return now_ms()',
  memory: ({ now }) => now,
});

export const setGetScript = defineScript<[string | Buffer, string | Buffer | null]>({
  name: 'test-set-get',
  lua: `
redis.call('SET', KEYS[1], ARGV[1])
return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) }`,
  memory({ store }, [first, second], [value]) {
    store.set(first as string, value as string | Buffer);
    return [
      store.get<string | Buffer>(first as string) as string | Buffer,
      store.get<string | Buffer>(second as string) ?? null,
    ];
  },
});

/** Writes, then fails: running it twice would show as a counter of 2. */
export const writeThenFailScript = defineScript<never>({
  name: 'test-write-then-fail',
  lua: `
redis.call('INCR', KEYS[1])
return redis.error_reply('ERR failed after writing')`,
  memory({ store }, [key]) {
    store.set(key as string, (store.get<number>(key as string) ?? 0) + 1);
    throw new RedisCommandError('Redis replied with an error: ERR failed after writing');
  },
});

export const getScript = defineScript<string | null>({
  name: 'test-get',
  lua: "return redis.call('GET', KEYS[1])",
  memory: ({ store }, [key]) => {
    const value = store.get<string | number>(key as string);
    return value === undefined ? null : String(value);
  },
});

/** Writes a key and announces it from inside the script. */
export const setAndPublishScript = defineScript<number>({
  name: 'test-set-and-publish',
  lua: `
redis.call('SET', KEYS[1], ARGV[1])
return redis.call('PUBLISH', ARGV[2], ARGV[1])`,
  memory({ store, publish }, [key], [value, channel]) {
    store.set(key as string, String(value));
    publish(String(channel), String(value));
    return 0;
  },
});

/** PTTL as a plain command (no script): `defineCommand`. */
export const pttlCommand = defineCommand<number>({
  name: 'test-pttl',
  command: 'PTTL',
  memory: ({ store }, [key]) => store.ttl(key as string),
});
