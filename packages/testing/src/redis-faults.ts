import type { FaultyRedis } from './faulty-redis';

/** One way Redis fails (issue #9's list), injected into a `useFaultyRedis()` server and ended again. */
export interface RedisFault {
  readonly name: string;
  /**
   * Whether Redis stays unusable from `begin` until `end` (every call fails); false for a restart,
   * after which the clients reconnect on their own.
   */
  readonly lasting: boolean;
  /** Whether the server is restarted: its data (sessions, counters, locks) is gone afterwards. */
  readonly emptiesData: boolean;
  begin(redis: FaultyRedis): Promise<void>;
  /** Redis is reachable again (a stopped server is started anew: empty data, empty script cache). */
  end(redis: FaultyRedis): Promise<void>;
}

const pass = async (redis: FaultyRedis): Promise<void> => redis.proxy().pass();

/** `slowDelayMs`: how late every reply is in the slow fault (above the timeout, so each call fails). */
export function redisFaults(slowDelayMs: number): RedisFault[] {
  return [
    {
      name: 'stalled',
      lasting: true,
      emptiesData: false,
      begin: async (redis) => redis.proxy().stall(),
      end: pass,
    },
    {
      name: 'slow',
      lasting: true,
      emptiesData: false,
      begin: async (redis) => redis.proxy().slow(slowDelayMs),
      end: pass,
    },
    {
      name: 'reset, then refused',
      lasting: true,
      emptiesData: false,
      begin: async (redis) => {
        redis.proxy().reset();
        redis.proxy().refuse();
      },
      end: pass,
    },
    {
      name: 'stopped',
      lasting: true,
      emptiesData: true,
      begin: (redis) => redis.server().kill(),
      end: (redis) => redis.server().restart(),
    },
    {
      name: 'restarted (empty script cache)',
      lasting: false,
      emptiesData: true,
      begin: (redis) => redis.server().restart(),
      end: async () => {},
    },
  ];
}
