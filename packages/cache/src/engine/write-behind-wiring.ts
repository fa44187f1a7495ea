import { RediwareError } from '@rediware/core';
import { encodeValue } from '../codec/value-codec';
import { parseWriteBehindOptions, type WriteBehindOptions } from '../write-behind/options';
import { startWriteBehindWorker, type WriteBehindWorker } from '../write-behind/worker';
import type { CacheEvents, SetOptions } from './cache-api';
import type { CacheState } from './cache-state';
import { locate } from './location';
import { parseEntryOptions, parseNamespace } from './options';
import { setValue } from './set';

/**
 * `writeBehind`. The stream has its own hash tag and the entry its key's, so on a cluster they are
 * two slots and cannot be one script. The XADD goes first and a failure rejects before the cache
 * changes: a write this promise acknowledges is always in the stream. If the cache write then
 * fails, the write still reaches the database; the failure is reported as for `set`.
 */
export async function queueWrite(
  state: CacheState,
  key: string,
  value: unknown,
  options: SetOptions,
): Promise<void> {
  // Bad keys and options throw here, before anything is queued.
  locate(state, key, options.namespace);
  parseEntryOptions(options, state.config);
  const encoded = encodeValue(value, state.config.serializer);
  if (!encoded) {
    throw new RediwareError(
      'ERR_RW_CACHE_VALUE',
      `writeBehind('${key}'): the serializer cannot store this value.`,
    );
  }
  const namespace = parseNamespace(options.namespace);
  const identity = namespace === undefined ? key : `${namespace}:${key}`;
  await state.failClosed('writeBehind', state.writeQueue.append(identity, key, namespace, encoded));
  await setValue(state, key, value, options);
}

/** `startWriteBehind`: a worker on this instance's backend and queue, stopped by close(). */
export function startWorker(state: CacheState, options: WriteBehindOptions): WriteBehindWorker {
  const worker = startWriteBehindWorker(
    {
      backend: state.backend,
      queue: state.writeQueue,
      serializer: state.config.serializer,
      emit: (event, ...args) => state.events.emit(event, ...(args as CacheEvents[typeof event])),
      reportFailure: (operation, error) => state.reportFailure(operation, error, false),
    },
    parseWriteBehindOptions(options),
  );
  state.writeWorkers.add(worker);
  return worker;
}
