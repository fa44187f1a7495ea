import { type Address, redisCommand } from '@rediware/testing';

/** EVALSHA calls (one per script round trip) summed over the masters, from INFO commandstats. */
export async function scriptCalls(masters: Address[]): Promise<number> {
  let calls = 0;
  for (const master of masters) {
    const info = String(await redisCommand(master, ['INFO', 'commandstats']));
    const match = /^cmdstat_evalsha:calls=(\d+)/m.exec(info);
    calls += match ? Number(match[1]) : 0;
  }
  return calls;
}
