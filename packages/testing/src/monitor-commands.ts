import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from './redis-command';

/**
 * What MONITOR saw while `work` ran: commands sent by clients (each a request to Redis: with no
 * pipelining, one round trip each) and commands run inside scripts (MONITOR tags them `lua`).
 */
export interface MonitorCounts {
  sent: number;
  inScripts: number;
  /** Sent commands by name, e.g. { evalsha: 20 }. */
  sentByName: Record<string, number>;
  /** Each sent command as MONITOR printed it: its arguments quoted, after the time and client. */
  sentLines: string[];
}

// `+1700000000.123456 [0 127.0.0.1:53412] "evalsha" "..."` or `[0 lua]` inside a script.
const line = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]*)"/;

/**
 * Runs `work` with a MONITOR connection open; waits `settleMs` after it for late commands. The
 * round trips a test or the bench counts: `sent` (each client command is one when nothing is
 * pipelined), apart from what scripts run inside (`inScripts`).
 */
export async function monitor(
  redis: Address,
  work: () => Promise<void>,
  settleMs = 150,
): Promise<MonitorCounts> {
  const socket = connect(redis.port, redis.host);
  socket.setEncoding('utf8');
  let buffered = '';
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const counts: MonitorCounts = { sent: 0, inScripts: 0, sentByName: {}, sentLines: [] };
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end = buffered.indexOf('\r\n');
    while (end !== -1) {
      const text = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\r\n');
      if (text === '+OK') {
        ready();
        continue;
      }
      const match = line.exec(text);
      if (!match) continue;
      const source = match[1] ?? '';
      const name = (match[2] ?? '').toLowerCase();
      if (source === 'lua') counts.inScripts++;
      else {
        counts.sent++;
        counts.sentByName[name] = (counts.sentByName[name] ?? 0) + 1;
        counts.sentLines.push(text);
      }
    }
  });
  socket.on('error', () => {});
  socket.write('MONITOR\r\n');
  await started;
  try {
    await work();
    await sleep(settleMs);
  } finally {
    socket.destroy();
  }
  return counts;
}
