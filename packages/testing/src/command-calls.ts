import { type Address, redisCommand } from './redis-command';

interface CommandStat {
  calls: number;
  /** Calls answered with an error (Redis 6.2 and later report them), such as NOSCRIPT. */
  failed: number;
}

/** INFO commandstats per command name, summed over the masters. */
async function commandStats(masters: Address[]): Promise<Map<string, CommandStat>> {
  const stats = new Map<string, CommandStat>();
  for (const master of masters) {
    const info = String(await redisCommand(master, ['INFO', 'commandstats']));
    for (const [, name, calls, failed] of info.matchAll(
      /^cmdstat_([^:]+):calls=(\d+)(?:,.*failed_calls=(\d+))?/gm,
    )) {
      const stat = stats.get(name as string) ?? { calls: 0, failed: 0 };
      stat.calls += Number(calls);
      stat.failed += Number(failed ?? 0);
      stats.set(name as string, stat);
    }
  }
  return stats;
}

/**
 * Calls per command name (INFO commandstats) summed over the masters; commands a script runs
 * count too, and an EVALSHA answered NOSCRIPT counts as a call.
 */
export async function commandCalls(masters: Address[]): Promise<Map<string, number>> {
  const stats = await commandStats(masters);
  return new Map([...stats].map(([name, { calls }]) => [name, calls]));
}

/** EVALSHA calls (one per script round trip) summed over the masters. */
export async function scriptCalls(masters: Address[]): Promise<number> {
  return (await commandStats(masters)).get('evalsha')?.calls ?? 0;
}

/** Scripts Redis ran: EVAL and EVALSHA calls, less the EVALSHA answered NOSCRIPT (then sent again as EVAL). */
export async function scriptsRun(masters: Address[]): Promise<number> {
  const stats = await commandStats(masters);
  const evalsha = stats.get('evalsha') ?? { calls: 0, failed: 0 };
  return evalsha.calls - evalsha.failed + (stats.get('eval')?.calls ?? 0);
}
