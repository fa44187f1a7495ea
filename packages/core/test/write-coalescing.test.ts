import type { Socket } from 'node:net';
import { closeAllClients, connectIoredis, type RedisServer, startRedis } from '@rediware/testing';
import { atTurnEnd, createBackend, createKeyspace } from '../src';
import { counterScript } from './test-scripts';

// The ioredis driver writes the commands sent during one event-loop turn in one socket write
// (node-redis v5 does so itself). Observed on the client's own socket: which of its write
// methods Node's stream calls, and with how many chunks.

describe('ioredis write coalescing', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await closeAllClients();
    await server.stop();
  });

  it('sends the commands of one turn in one write, each with its own reply', async () => {
    const client = await connectIoredis(server.url);
    const backend = createBackend({ redis: client, packageName: 'core-test', timeout: '2s' });
    const keyspace = createKeyspace('rwtest:', 'coalesce');
    const keys = Array.from({ length: 20 }, (_, i) => keyspace.key(`k${i}`, 'count'));
    // Loads the script, so the measured turn sends EVALSHA only.
    await backend.run(counterScript, [keys[0] as string], [0, 60_000]);

    const socket = (client as unknown as { stream: Socket & WriteMethods }).stream;
    const writes: number[] = [];
    const write = socket._write.bind(socket);
    const writev = socket._writev.bind(socket);
    socket._write = (chunk, encoding, callback) => {
      writes.push(1);
      write(chunk, encoding, callback);
    };
    socket._writev = (chunks, callback) => {
      writes.push(chunks.length);
      writev(chunks, callback);
    };
    const replies = await Promise.all(
      keys.map((key, i) => backend.run(counterScript, [key], [i + 1, 60_000])),
    );
    expect(writes).toEqual([20]);
    expect(replies.map(([value]) => value)).toEqual(keys.map((_, i) => i + 1));

    writes.length = 0;
    await backend.run(counterScript, [keys[1] as string], [1, 60_000]);
    await backend.run(counterScript, [keys[1] as string], [1, 60_000]);
    // One command a turn: each still leaves in its own turn, uncorked there.
    expect(writes).toEqual([1, 1]);
    await backend.close();
  });

  it('writes a command sent at the end of a turn (a flushed batch) in that same turn', async () => {
    const client = await connectIoredis(server.url);
    const backend = createBackend({ redis: client, packageName: 'core-test', timeout: '2s' });
    const key = createKeyspace('rwtest:', 'coalesce').key('turn-end', 'count');
    await backend.run(counterScript, [key], [0, 60_000]);
    const socket = (client as unknown as { stream: Socket }).stream;
    const corkedAfter = await new Promise<number>((resolve) => {
      atTurnEnd(() => {
        void backend.run(counterScript, [key], [1, 60_000]);
        // Runs after the uncork the send registered: with an uncork of the next turn it would
        // still see the socket corked.
        atTurnEnd(() => resolve(socket.writableCorked));
      });
    });
    expect(corkedAfter).toBe(0);
    await backend.close();
  });
});

interface WriteMethods {
  _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
  _writev(
    chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void;
}
