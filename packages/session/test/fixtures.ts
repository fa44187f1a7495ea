import { type Address, commandCalls } from '@rediware/testing';

/** A session as both frameworks hand it to a store: data plus a cookie with an expiry. */
export function sessionWith(
  data: Record<string, unknown>,
  cookie: Record<string, unknown> = { maxAge: 60_000 },
) {
  return { cookie: { originalMaxAge: cookie.maxAge ?? null, ...cookie }, ...data };
}

/** What ran between two snapshots, by command. */
export function commandDelta(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, calls] of after) {
    const ran = calls - (before.get(name) ?? 0);
    if (ran > 0) delta[name] = ran;
  }
  return delta;
}

/** What ran on the masters while `work` ran, by command (cluster bookkeeping left out). */
export async function commandsDuring(
  masters: Address[],
  work: () => Promise<unknown>,
): Promise<Record<string, number>> {
  const before = await commandCalls(masters);
  await work();
  const ran = commandDelta(before, await commandCalls(masters));
  delete ran.info;
  delete ran['cluster|slots'];
  delete ran['cluster|shards'];
  return ran;
}

/** Script calls among them: each is one Redis round trip. */
export function scriptCalls(ran: Record<string, number>): number {
  return (ran.evalsha ?? 0) + (ran.eval ?? 0);
}

/** Runs `work` `count` times, `gapMs` apart (a user keeping a session active), and returns its results. */
export async function everyGap<T>(count: number, gapMs: number, work: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    results.push(await work());
  }
  return results;
}
