import { connect } from 'node:net';
import type { Address } from '@rediware/testing';

/**
 * `count` PINGs sent one at a time on one connection, each after the previous reply: every round
 * trip's time in ms (`process.hrtime`, sub-microsecond), from the write to the whole reply.
 */
export async function pingRoundTrips(address: Address, count: number): Promise<number[]> {
  const socket = connect({ host: address.host, port: address.port, noDelay: true });
  const times: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      let sentAt = 0n;
      const send = (): void => {
        sentAt = process.hrtime.bigint();
        socket.write('PING\r\n');
      };
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        if (!buffered.endsWith('\r\n')) return;
        if (buffered !== '+PONG\r\n') return reject(new Error(`unexpected reply to PING: ${buffered}`));
        times.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        buffered = '';
        if (times.length === count) resolve();
        else send();
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`connection closed after ${times.length} PINGs`)));
      send();
    });
  } finally {
    socket.destroy();
  }
  return times;
}
