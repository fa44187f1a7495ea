import type { EncodedValue } from '../codec/value-codec';
import type { CacheState } from './cache-state';
import { lifetimeOf } from './entry-lifetime';
import { recordWritten } from './entry-write';
import { releaseLock } from './loader-lock';
import type { Location } from './location';
import type { EntryPolicy } from './options';
import { guardedWriteScript, guardRefused } from './scripts/write-entry-guarded-script';
import { writeEntrySettledScript } from './scripts/write-entry-settled-script';
import { type CapturedStamps, keepAliveOf } from './version-stamps';
import type { WriteGuard } from './write-guard';

/**
 * Settles the stamps, writes the entry, gives the loader lock held with `token` back and tells
 * the other instances, in one round trip, where one script reaches every key (`oneScriptReaches`).
 * With `captured` (the stamps read before a loader ran), nothing is stored when one moved since:
 * the lock is given back instead. With `guard`, its check runs first in the same script (its keys
 * reach one script too). Keeps the value in this process's L1 as `writeEntry` does.
 */
export async function writeSettled(
  state: CacheState,
  write: { readonly location: Location; readonly encoded: EncodedValue },
  policy: EntryPolicy,
  stampKeys: readonly string[],
  captured: CapturedStamps | undefined,
  token: string,
  guard?: WriteGuard,
): Promise<void> {
  const { location, encoded } = write;
  if (state.stamps.outlived(captured, stampKeys)) {
    await releaseLock(state, location, token);
    return;
  }
  const epoch = state.stampMemory.begin();
  const keys = [location.entryKey, location.lockKey, ...stampKeys];
  const args = [
    encoded.bytes,
    encoded.kind,
    policy.ttlMs,
    policy.staleWhileRevalidateMs,
    policy.staleIfErrorMs,
    token,
    policy.keepMs,
    keepAliveOf(lifetimeOf(policy)),
    state.bus.channel,
    state.bus.keysMessageHead([location.entryKey]),
    ...stampKeys.flatMap((key) => state.stamps.expectation(captured, key)),
  ];
  const reply = guard
    ? await state.backend.run(
        guardedWriteScript(guard.script),
        [...keys, ...guard.keys],
        [...args, ...guard.args, guard.args.length, guard.keys.length],
        { batch: true },
      )
    : await state.backend.run(writeEntrySettledScript, keys, args, { batch: true });
  if (Number(reply[0]) === guardRefused) guard?.refused(Number(reply[1]));
  if (Number(reply[0]) !== 1) {
    state.stamps.settled(stampKeys, undefined, epoch);
    return;
  }
  const versions = reply.slice(2).map(String);
  state.stamps.settled(stampKeys, versions, epoch);
  const stamps = stampKeys.map((key, i) => ({ key, version: versions[i] as string }));
  recordWritten(state, [write], policy, stamps, Number(reply[1]));
}
