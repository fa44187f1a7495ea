import calculateSlot from 'cluster-key-slot';

/** Redis Cluster's slot count: a key's slot is CRC16 (XMODEM) of its hash tag, modulo this. */
const slotCount = 16384;
const digits = '0123456789abcdefghijklmnopqrstuvwxyz';

let tags: readonly string[] | undefined;

/**
 * For each Redis Cluster slot, a short hash tag that hashes to it: a key `{<tag>}...` lives in
 * that slot. For a counter shared by every key of one slot (the locker's fencing counter), bounded
 * by the slot count however many keys there are. Built on first call, in a few tens of ms (base-36
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
  const crc = crcTable();
  let left = slotCount;
  for (let n = 0; left > 0; n++) {
    const tag = base36(n);
    const slot = crc16(tag, crc) % slotCount;
    if (table[slot] === undefined) {
      table[slot] = tag;
      left--;
    }
  }
  return table;
}

function base36(n: number): string {
  let text = '';
  let rest = n;
  do {
    text = digits[rest % 36] + text;
    rest = Math.floor(rest / 36);
  } while (rest > 0);
  return text;
}

/** CRC16-XMODEM (Redis Cluster's) of an ASCII string, from a 256-entry table. */
function crc16(text: string, table: Uint16Array): number {
  let crc = 0;
  for (let i = 0; i < text.length; i++) {
    crc = ((crc << 8) ^ (table[((crc >> 8) ^ text.charCodeAt(i)) & 0xff] as number)) & 0xffff;
  }
  return crc;
}

function crcTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
}
