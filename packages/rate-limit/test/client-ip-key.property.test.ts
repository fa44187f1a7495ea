import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { Address6 } from 'ip-address';
import { clientIpKey } from '../src/client-ip-key';

// The default key reads IPv6 text itself (ipv6-groups.ts) because ip-address took about 25 µs a
// key. ip-address stays the reference: for every address Node accepts, the key must be the one
// ip-address gives (its canonical form, its /n network, the IPv4 address a mapped one carries).

function referenceKey(ip: string, subnet: number | false): string {
  if (isIPv4(ip)) return `ip:${ip}`;
  const address = new Address6(ip);
  if (address.isMapped4()) return `ip:${address.to4().correctForm()}`;
  if (subnet === false) return `ip:${address.correctForm()}`;
  return `ip:${new Address6(`${address.correctForm()}/${subnet}`).startAddress().correctForm()}/${subnet}`;
}

const subnets = fc.oneof(fc.integer({ min: 1, max: 128 }), fc.constant(false as const));

/** An IPv6 address as a client or proxy may write it: compressed or not, any case, maybe zoned. */
const ipv6Texts = fc
  .tuple(
    fc.oneof(
      fc.ipV6(),
      fc.ipV4().map((ip) => `::ffff:${ip}`),
      fc.ipV4().map((ip) => `0:0:0:0:0:ffff:${ip}`),
      // Runs of zero groups of every length and place, where the canonical form's `::` is decided.
      fc
        .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
        .map((groups) => groups.map((group) => group.toString(16)).join(':')),
    ),
    fc.boolean(),
    fc.option(fc.constantFrom('%eth0', '%1'), { nil: '' }),
  )
  .map(([ip, upper, zone]) => `${upper ? ip.toUpperCase() : ip}${zone}`);

describe('clientIpKey', () => {
  it('keys every IPv6 address as ip-address does: its /n network, its canonical form, or the IPv4 it maps', () => {
    fc.assert(
      fc.property(ipv6Texts, subnets, (ip, subnet) => {
        expect(isIPv6(ip)).toBe(true);
        expect(clientIpKey(ip, subnet)).toBe(referenceKey(ip, subnet));
      }),
      { numRuns: 5000 },
    );
  });

  it('keys an IPv4 address, and text that is no address, as it is', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.string({ minLength: 1 })),
        subnets,
        (ip, subnet) => {
          fc.pre(!isIPv6(ip));
          expect(clientIpKey(ip, subnet)).toBe(`ip:${ip}`);
        },
      ),
    );
  });

  it('groups an IPv6 client by its subnet and writes the network in RFC 5952 form', () => {
    expect(clientIpKey('2001:db8:1:1ff::2', 56)).toBe('ip:2001:db8:1:100::/56');
    expect(clientIpKey('2001:0DB8:0000:0000:0001:0000:0000:0001', false)).toBe('ip:2001:db8::1:0:0:1');
    expect(clientIpKey('2001:db8:0:1:1:1:1:1', false)).toBe('ip:2001:db8:0:1:1:1:1:1');
    expect(clientIpKey('::ffff:203.0.113.9', 56)).toBe('ip:203.0.113.9');
    expect(clientIpKey('::FFFF:CB00:7109', 64)).toBe('ip:203.0.113.9');
    expect(clientIpKey('fe80::1%eth0', false)).toBe('ip:fe80::1');
    expect(clientIpKey('::', 1)).toBe('ip:::/1');
    expect(clientIpKey(undefined, 56)).toBe('ip:unknown');
    expect(clientIpKey('', 56)).toBe('ip:unknown');
  });
});
