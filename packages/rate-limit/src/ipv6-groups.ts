/**
 * IPv6 addresses as eight 16-bit groups: read from text that `net.isIPv6` accepted, cut to a
 * prefix, and written in the canonical text of RFC 5952 §4. The rate limiter's default key needs
 * this on every request from an IPv6 client, and from every IPv4 client of a server listening on
 * `::` (`::ffff:203.0.113.9`): ip-address, which does the same, took about 25 µs a key there.
 */

/** The groups of an address `net.isIPv6` accepted; a zone (`%eth0`) is not part of them. */
export function ipv6Groups(address: string): number[] {
  const zone = address.indexOf('%');
  const end = zone === -1 ? address.length : zone;
  const groups: number[] = [];
  /** Where `::` stands among the groups, or -1. */
  let gap = -1;
  /** The current group's first character, and its value so far. */
  let start = 0;
  let value = 0;
  for (let i = 0; i < end; i++) {
    const code = address.charCodeAt(i);
    if (code === colon) {
      if (i > start) groups.push(value);
      if (address.charCodeAt(i + 1) === colon) {
        gap = groups.length;
        i++;
      }
      start = i + 1;
      value = 0;
    } else if (code === dot) {
      // The group read so far begins an embedded IPv4 address, the last two groups.
      const ipv4 = ipv4Number(address, start, end);
      groups.push(Math.floor(ipv4 / 0x10000), ipv4 % 0x10000);
      start = end;
      break;
    } else value = value * 16 + hexValue(code);
  }
  if (end > start) groups.push(value);
  if (gap === -1) return groups;
  const full: number[] = [];
  for (let i = 0; i < gap; i++) full.push(groups[i] ?? 0);
  for (let i = groups.length; i < 8; i++) full.push(0);
  for (let i = gap; i < groups.length; i++) full.push(groups[i] ?? 0);
  return full;
}

const colon = 0x3a;
const dot = 0x2e;

function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}

/** The dotted IPv4 address in `text` from `start` to `end`, as one 32-bit number. */
function ipv4Number(text: string, start: number, end: number): number {
  let total = 0;
  let octet = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === dot) {
      total = total * 256 + octet;
      octet = 0;
    } else octet = octet * 10 + code - 0x30;
  }
  return total * 256 + octet;
}

/** The IPv4 address an IPv4-mapped address (`::ffff:0:0/96`) carries, else undefined. */
export function mappedIpv4(groups: readonly number[]): string | undefined {
  for (let i = 0; i < 5; i++) if (groups[i] !== 0) return undefined;
  if (groups[5] !== 0xffff) return undefined;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The first `bits` bits of the address, the rest zero: the network it belongs to. */
export function ipv6Prefix(groups: readonly number[], bits: number): number[] {
  return groups.map((group, index) => {
    const kept = Math.min(16, Math.max(0, bits - 16 * index));
    return kept === 16 ? group : group & (0xffff << (16 - kept)) & 0xffff;
  });
}

/** RFC 5952 §4: lowercase hex without leading zeros; the first longest run of 2+ zero groups is `::`. */
export function ipv6Text(groups: readonly number[]): string {
  let runStart = 0;
  let runLength = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - i > runLength) {
      runStart = i;
      runLength = end - i;
    }
    i = end;
  }
  let text = '';
  let separated = true;
  for (let i = 0; i < groups.length; i++) {
    if (i === runStart && runLength >= 2) {
      text += '::';
      separated = true;
      i += runLength - 1;
    } else {
      text += separated ? (groups[i] ?? 0).toString(16) : `:${(groups[i] ?? 0).toString(16)}`;
      separated = false;
    }
  }
  return text;
}
