/**
 * Calls per command name from `INFO commandstats` (Redis 7 counts commands run by scripts too), as
 * `@rediware/testing`'s `commandCalls([redis])` reads them.
 */
export type CommandCounts = Map<string, number>;

/** Commands the runner itself sends between two snapshots; they are not the server's. */
const ownCommands = new Set(['info', 'flushall']);

/** Calls per command between two snapshots, without the runner's own commands. */
export function commandDelta(before: CommandCounts, after: CommandCounts): CommandCounts {
  const delta: CommandCounts = new Map();
  for (const [name, calls] of after) {
    if (ownCommands.has(name)) continue;
    const added = calls - (before.get(name) ?? 0);
    if (added > 0) delta.set(name, added);
  }
  return delta;
}

export function totalCalls(counts: CommandCounts): number {
  let total = 0;
  for (const calls of counts.values()) total += calls;
  return total;
}
