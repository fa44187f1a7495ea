import { type Address, redisCommand } from './redis-command';

/**
 * Calls per command name (INFO commandstats) summed over the masters; commands a script runs
 * count too, and an EVALSHA answered NOSCRIPT counts as a call.
 */
export async function commandCalls(masters: Address[]): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const master of masters) {
    const info = String(await redisCommand(master, ['INFO', 'commandstats']));
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const name = match[1] as string;
      calls.set(name, (calls.get(name) ?? 0) + Number(match[2]));
    }
  }
  return calls;
}

/** EVALSHA calls (one per script round trip) summed over the masters. */
export async function scriptCalls(masters: Address[]): Promise<number> {
  return (await commandCalls(masters)).get('evalsha') ?? 0;
}

/** Scripts Redis ran: EVAL and EVALSHA calls, less the EVALSHA answered NOSCRIPT (then sent again as EVAL). */
export async function scriptsRun(masters: Address[]): Promise<number> {
  let runs = 0;
  for (const master of masters) {
    const info = String(await redisCommand(master, ['INFO', 'commandstats']));
    for (const [, name, calls, failed] of info.matchAll(
      /^cmdstat_(evalsha|eval):calls=(\d+),.*failed_calls=(\d+)/gm,
    )) {
      runs += Number(calls) - (name === 'evalsha' ? Number(failed) : 0);
    }
  }
  return runs;
}
