import { isIPv4 } from 'node:net';
import { Address6 } from 'ip-address';

/**
 * The default rate limit key: the client's IP address. An IPv6 client usually controls a whole
 * subnet (a /56 or /64 per customer), so IPv6 addresses are grouped by `ipv6Subnet` bits; an
 * IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) is the IPv4 address it carries. An IPv4
 * address is the key as it is: Node's native `isIPv4` tells it, where ip-address's parser cost 2%
 * of a Fastify rate-limited request's CPU.
 */
export function clientIpKey(ip: string | undefined, ipv6Subnet: number | false): string {
  if (ip === undefined || ip === '') return 'ip:unknown';
  if (isIPv4(ip)) return `ip:${ip}`;
  if (!Address6.isValid(ip)) return `ip:${ip}`;
  const address = new Address6(ip);
  if (address.isMapped4()) return `ip:${address.to4().correctForm()}`;
  if (ipv6Subnet === false) return `ip:${address.correctForm()}`;
  const network = new Address6(`${address.correctForm()}/${ipv6Subnet}`).startAddress().correctForm();
  return `ip:${network}/${ipv6Subnet}`;
}
