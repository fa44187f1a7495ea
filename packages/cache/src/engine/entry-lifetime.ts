import type { EntryPolicy } from './options';

/** How long an entry lives: its stamps must live at least as long. */
export function lifetimeOf(policy: EntryPolicy): number {
  return (
    policy.ttlMs + Math.max(policy.staleWhileRevalidateMs, policy.staleIfErrorMs, policy.keepMs) + 60_000
  );
}
