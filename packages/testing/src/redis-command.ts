import { connect } from 'node:net';

export interface Address {
  host: string;
  port: number;
}

/** A RESP2 reply: simple and bulk strings as strings, integers as numbers, nil as null. */
export type RedisReply = string | number | null | RedisReply[];

/** An error reply (`-ERR ...`) from the server. */
export class RedisReplyError extends Error {}

type Parsed = { value: RedisReply | RedisReplyError; end: number } | undefined;

function encode(args: Array<string | number>): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`).join('')}`;
}

/** The reply starting at `start`, or undefined while the buffer holds only part of it. */
function parse(buffer: Buffer, start: number): Parsed {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buffer[start] ?? 0)) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RedisReplyError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      const items: RedisReply[] = [];
      let end = next;
      for (let i = 0; i < length; i++) {
        const item = parse(buffer, end);
        if (item === undefined) return undefined;
        // An error nested in an array (e.g. inside EXEC) is data, not a failed command.
        items.push(item.value instanceof RedisReplyError ? item.value.message : item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      return { value: new RedisReplyError(`unexpected reply: ${line.slice(0, 80)}`), end: buffer.length };
  }
}

/**
 * Sends one command to a server over a fresh connection and resolves with the reply; an error reply
 * rejects with RedisReplyError. For probing and administering test servers (SCRIPT FLUSH, DBSIZE, ...)
 * without a client library, whatever state the clients under test are in.
 */
export function redisCommand(
  address: Address,
  args: Array<string | number>,
  timeoutMs = 2_000,
): Promise<RedisReply> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const socket = connect({ host: address.host, port: address.port });
    const where = `${args[0]} to ${address.host}:${address.port}`;
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${where} timed out after ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const reply = parse(received, 0);
      if (reply === undefined) return;
      socket.destroy();
      if (reply.value instanceof RedisReplyError) reject(reply.value);
      else resolve(reply.value);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`${where}: connection closed before a reply`)));
  });
}

/** redisCommand for replies that are text (INFO, CLUSTER INFO, CLUSTER NODES, PING). */
export async function redisText(address: Address, args: string[], timeoutMs?: number): Promise<string> {
  const reply = await redisCommand(address, args, timeoutMs);
  if (typeof reply !== 'string')
    throw new Error(`${args.join(' ')}: expected text, got ${JSON.stringify(reply)}`);
  return reply;
}
