import { isIPv4, isIPv6 } from 'node:net';
import { ipv6Groups, ipv6Prefix, ipv6Text, mappedIpv4 } from './ipv6-groups';

/**
 * The default rate limit key: the client's IP address. An IPv6 client usually controls a whole
 * subnet (a /56 or /64 per customer), so IPv6 addresses are grouped by `ipv6Subnet` bits; an
 * IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) is the IPv4 address it carries. Node's native
 * `isIPv4` and `isIPv6` tell the address apart; text that is neither is the key as it is.
 */
export function clientIpKey(ip: string | undefined, ipv6Subnet: number | false): string {
  if (ip === undefined || ip === '') return 'ip:unknown';
  if (isIPv4(ip)) return `ip:${ip}`;
  // How a server listening on `::` sees every IPv4 client.
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return `ip:${ip.slice(7)}`;
  if (!isIPv6(ip)) return `ip:${ip}`;
  const groups = ipv6Groups(ip);
  const ipv4 = mappedIpv4(groups);
  if (ipv4 !== undefined) return `ip:${ipv4}`;
  if (ipv6Subnet === false) return `ip:${ipv6Text(groups)}`;
  return `ip:${ipv6Text(ipv6Prefix(groups, ipv6Subnet))}/${ipv6Subnet}`;
}
