import calculateSlot from 'cluster-key-slot';

/** Redis Cluster's slot count. */
const slotCount = 16384;

let tags: readonly string[] | undefined;

/**
 * For each Redis Cluster slot, a short hash tag that hashes to it: a key `{<tag>}...` lives in
 * that slot. For a counter shared by every key of one slot (the locker's fencing counter), bounded
 * by the slot count however many keys there are. Built on first call, in about 55 ms (base-36
 * numbers in order, each slot keeping the first that reaches it); call it at construction, not
 * on a request.
 */
export function slotTags(): readonly string[] {
  tags ??= Object.freeze(buildTags());
  return tags;
}

/** The slot of a hash tag (or of a key without one), as Redis Cluster computes it. */
export function slotOf(tag: string): number {
  return calculateSlot(tag);
}

function buildTags(): string[] {
  const table = new Array<string>(slotCount);
  let left = slotCount;
  for (let n = 0; left > 0; n++) {
    const tag = n.toString(36);
    const slot = calculateSlot(tag);
    if (table[slot] === undefined) {
      table[slot] = tag;
      left--;
    }
  }
  return table;
}
