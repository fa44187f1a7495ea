import { createKeyspace, identityTag, slotOf, slotTags } from '@rediware/core';

/** The Redis keys of one idempotency key: its record and its slot's fencing counter. */
export interface RecordKeys {
  /** A hash: the in-flight marker, then the stored response. */
  readonly record: string;
  /** One counter per cluster slot, like the lock's: fencing tokens never repeat or go back. */
  readonly slotFence: string;
}

/**
 * `<prefix>idem:{#<hash of scope and key>}:record`. Scope and key are hashed together (a key is
 * whatever a client sends), so every record has one hash tag and any two scopes stay apart; the
 * fencing counter is `<prefix>idem:{<tag of the slot>}:slot-fence`, in the record's slot.
 */
/** The channel the complete and release scripts announce a settled record on: `<prefix>idem:settled`. */
export function settledChannel(prefix: string): string {
  return `${createKeyspace(prefix, 'idem').base}settled`;
}

export function createRecordKeys(prefix: string): (scope: string, key: string) => RecordKeys {
  const keyspace = createKeyspace(prefix, 'idem');
  const tags = slotTags();
  return (scope, key) => {
    const identity = JSON.stringify([scope, key]);
    // keyspace.key tags the identity itself: the slot is that of the same tag.
    const tag = identityTag(identity);
    return {
      record: keyspace.key(identity, 'record'),
      slotFence: keyspace.key(tags[slotOf(tag)] as string, 'slot-fence'),
    };
  };
}
