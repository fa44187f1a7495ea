import {
  type Backend,
  createBackend,
  type FailureEvent,
  MemoryBackend,
  RedisRefusedError,
} from '@rediware/core';
import { onOwner, type RedisTarget, useRedisTargets } from '@rediware/testing';
import { type CorruptSessionEvent, createSessionStore } from '../src';
import { destroySessionScript } from '../src/destroy-script';
import { getSessionFields, getSessionScript } from '../src/get-script';
import { indexAddScript } from '../src/index-add-script';
import { indexListScript } from '../src/index-list-script';
import { indexRemoveScript } from '../src/index-remove-script';
import { sessionOwnerScript } from '../src/owner-script';
import { SaveStatus, saveSessionScript } from '../src/save-script';
import { isWrongTypeError } from '../src/wrong-type';
import { sessionWith } from './fixtures';

// A key of another type where the store keeps a session hash or a user's sorted set: Redis
// answers WRONGTYPE to the commands of that type. No script may fail on it (the next save
// replaces it) and the memory backend must give the same answers.

const prefix = 'rwtype:sess:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;
const tombstoneKey = (id: string) => `${prefix}sid:{${id}}:destroyed`;
const indexKey = (user: string) => `${prefix}uid:{${user}}:sessions`;

type Kind = 'string' | 'list' | 'set' | 'zset' | 'hash';
const notAHash: Kind[] = ['string', 'list', 'set', 'zset'];

describe.each(useRedisTargets(['memory', 'ioredis', 'node-redis-cluster']))(
  'keys of another type on $name',
  (target: RedisTarget) => {
    let backend: Backend;
    beforeEach(async () => {
      await target.flush();
      backend = createBackend({ redis: target.client(), timeout: '2s', packageName: '@rediware/session' });
    });
    afterEach(() => backend.close());

    /** Puts a value of `kind` under `key` behind the store's back: raw Redis, or the memory twin. */
    async function put(key: string, kind: Kind): Promise<void> {
      if (backend instanceof MemoryBackend) {
        const twins = {
          string: 'x',
          list: ['x'],
          set: new Set(['x']),
          zset: new Map([['x', 1]]),
          hash: { x: '1' },
        };
        backend.store.set(key, twins[kind]);
        return;
      }
      const writes: Record<Kind, Array<string | number>> = {
        string: ['SET', key, 'x'],
        list: ['RPUSH', key, 'x'],
        set: ['SADD', key, 'x'],
        zset: ['ZADD', key, 1, 'x'],
        hash: ['HSET', key, 'x', '1'],
      };
      await onOwner(target, key, ['DEL', key]);
      await onOwner(target, key, writes[kind]);
    }

    const save = (id: string, mode: 'set' | 'touch', user = '') =>
      backend.run(saveSessionScript, [dataKey(id), tombstoneKey(id)], [mode, 60_000, '', '{}', user, 0]);

    it.each(notAHash)(
      'a session key holding a %s: get answers WRONGTYPE, the owner is none, a touch finds no session, a set replaces it, a destroy deletes it',
      async (kind) => {
        await put(dataKey('s1'), kind);
        const read = await backend.run(getSessionScript, [dataKey('s1')], getSessionFields).catch((e) => e);
        expect(isWrongTypeError(read)).toBe(true);
        // Told by the reply code, never by the message: both backends throw core's refusal.
        expect(read).toBeInstanceOf(RedisRefusedError);
        expect(read).toMatchObject({ code: 'ERR_RW_REDIS_REFUSED', replyCode: 'WRONGTYPE' });
        expect(await backend.run(sessionOwnerScript, [dataKey('s1')], [])).toBeNull();
        expect(await save('s1', 'touch')).toEqual([SaveStatus.missing, '']);
        expect(await save('s1', 'set', 'alice')).toEqual([SaveStatus.written, '']);
        expect(await backend.run(getSessionScript, [dataKey('s1')], getSessionFields)).toEqual([
          '{}',
          '',
          '0',
        ]);
        expect(await backend.run(sessionOwnerScript, [dataKey('s1')], [])).toBe('alice');
        await put(dataKey('s1'), kind);
        expect(
          await backend.run(destroySessionScript, [dataKey('s1'), tombstoneKey('s1')], [60_000, '']),
        ).toEqual([1, '']);
      },
    );

    it.each<Kind>(['string', 'hash'])(
      'a user index key holding a %s: listed and removed from as empty, replaced by the next add',
      async (kind) => {
        await put(indexKey('alice'), kind);
        expect(await backend.run(indexListScript, [indexKey('alice')], [])).toEqual([]);
        expect(await backend.run(indexRemoveScript, [indexKey('alice')], ['s1'])).toBe(0);
        await backend.run(indexAddScript, [indexKey('alice')], ['s1', 60_000]);
        expect(await backend.run(indexListScript, [indexKey('alice')], [])).toEqual(['s1']);
      },
    );

    if (target.name !== 'memory') {
      it('through the store: a session key of another type is no session and a corrupt event, not a failure; the next save of the id replaces it', async () => {
        const store = createSessionStore<Record<string, unknown>>({
          redis: target.client(),
          prefix,
          timeout: '2s',
          userId: (session) => session.user as string | undefined,
        });
        const corrupt: CorruptSessionEvent[] = [];
        const failures: FailureEvent[] = [];
        store.on('corrupt', (event) => corrupt.push(event));
        store.on('failure', (event) => failures.push(event));
        try {
          for (const kind of notAHash) {
            await store.set('s1', sessionWith({ user: 'alice' }));
            await put(dataKey('s1'), kind);
            expect(await store.get('s1')).toBeNull();
            expect(await store.listUserSessions('alice')).toEqual([]);
            await store.touch('s1', sessionWith({ user: 'alice' }));
            expect(await store.get('s1')).toBeNull();
            await store.set('s1', sessionWith({ user: 'alice', n: 1 }));
            expect(await store.get('s1')).toMatchObject({ n: 1 });
            expect(await store.listUserSessions('alice')).toEqual(['s1']);
          }
          expect(corrupt.map((event) => event.id)).toEqual(['s1', 's1', 's1', 's1', 's1', 's1', 's1', 's1']);
          expect(corrupt[0]?.error).toMatchObject({ code: 'ERR_RW_SESSION_CORRUPT' });
          await put(indexKey('bob'), 'string');
          await store.set('s2', sessionWith({ user: 'bob' }));
          expect(await store.listUserSessions('bob')).toEqual(['s2']);
          expect(failures).toEqual([]);
        } finally {
          await store.close();
        }
      });
    }
  },
);
