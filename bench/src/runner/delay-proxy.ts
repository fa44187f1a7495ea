import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { Address } from '@rediware/testing';

/**
 * A TCP proxy that puts a network hop between clients and a Redis: every chunk is held RTT / 2 in
 * each direction, so a command and its reply take one RTT more than on loopback.
 */
export interface DelayProxy {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:PORT, to hand to a client instead of the server's URL. */
  readonly url: string;
  /** The round trip added, in ms (fractions allowed); chunks that arrive after a change use the new value. */
  rttMs: number;
  /** Open client connections. */
  connections(): number;
  close(): Promise<void>;
}

/*
 * Node's timers count whole milliseconds, too coarse for a 0.25 ms half-RTT. So each direction of
 * a connection keeps a FIFO of chunks stamped with the `process.hrtime.bigint()` at which they are
 * due, and one loop, shared by every connection, flushes what is due: on the next turn of the event
 * loop (setImmediate) while the soonest chunk is due within 2 ms, by a timer that wakes 1 ms early
 * when it is further away, and not at all while nothing is queued. That loop spins, a core's worth
 * of CPU, while chunks wait; RTT 0 takes the same path (each chunk waits one turn), so a run at
 * RTT 0 measures what the proxy itself costs. No backpressure: the bench's traffic is small.
 */

const endOfStream = Symbol('end of stream');
type Item = Buffer | typeof endOfStream;

/** One direction of one connection: chunks in arrival order, each with the time it is due. */
class Lane {
  private readonly items: Item[] = [];
  private readonly due: bigint[] = [];
  private head = 0;

  constructor(private readonly to: Socket) {}

  get empty(): boolean {
    return this.head === this.items.length;
  }

  /** When the oldest held chunk is due; only while not empty. */
  get nextDue(): bigint {
    return this.due[this.head] as bigint;
  }

  push(item: Item, due: bigint): void {
    this.items.push(item);
    this.due.push(due);
  }

  /** Writes every chunk due by `now`, in order, in one write; stops at the first one not due. */
  flush(now: bigint): void {
    const ready: Buffer[] = [];
    let ended = false;
    while (!this.empty && this.nextDue <= now) {
      const item = this.items[this.head] as Item;
      this.head++;
      if (item === endOfStream) {
        ended = true;
        break;
      }
      ready.push(item);
    }
    // Nothing follows the end of a stream.
    if (this.empty || ended) this.clear();
    if (this.to.destroyed) return;
    if (ready.length > 0) this.to.write(ready.length === 1 ? (ready[0] as Buffer) : Buffer.concat(ready));
    if (ended) this.to.end();
  }

  clear(): void {
    this.items.length = 0;
    this.due.length = 0;
    this.head = 0;
  }
}

/** The loop that flushes due chunks of every lane. */
class Scheduler {
  private readonly waiting = new Set<Lane>();
  private pending = false;

  constructor(private halfRttNs: () => bigint) {}

  hold(lane: Lane, item: Item): void {
    lane.push(item, process.hrtime.bigint() + this.halfRttNs());
    this.waiting.add(lane);
    if (!this.pending) {
      this.pending = true;
      setImmediate(this.tick);
    }
  }

  drop(lane: Lane): void {
    lane.clear();
    this.waiting.delete(lane);
  }

  private readonly tick = (): void => {
    this.pending = false;
    const now = process.hrtime.bigint();
    let soonest: bigint | undefined;
    for (const lane of this.waiting) {
      lane.flush(now);
      if (lane.empty) this.waiting.delete(lane);
      else if (soonest === undefined || lane.nextDue < soonest) soonest = lane.nextDue;
    }
    if (soonest === undefined) return;
    this.pending = true;
    const waitMs = Number(soonest - now) / 1e6;
    if (waitMs > 2) setTimeout(this.tick, Math.floor(waitMs) - 1);
    else setImmediate(this.tick);
  };
}

/** Starts a delay proxy on a free loopback port in front of `target`. */
export async function startDelayProxy(target: Address, rttMs = 0): Promise<DelayProxy> {
  let halfRttNs = 0n;
  const setRtt = (ms: number): void => {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`rttMs must be a number >= 0, got ${ms}`);
    halfRttNs = BigInt(Math.round(ms * 500_000));
  };
  setRtt(rttMs);
  let currentRtt = rttMs;
  const scheduler = new Scheduler(() => halfRttNs);
  /** Each open connection's way to close both of its sockets. */
  const open = new Map<Socket, () => void>();

  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    const toServer = new Lane(upstream);
    const toClient = new Lane(client);
    const closeBoth = (): void => {
      scheduler.drop(toServer);
      scheduler.drop(toClient);
      client.destroy();
      upstream.destroy();
      open.delete(client);
    };
    open.set(client, closeBoth);
    // A side that ends or closes has its end delivered to the other after the chunks before it,
    // as a FIN would be; a side that fails takes the other down at once.
    client.on('data', (chunk: Buffer) => scheduler.hold(toServer, chunk));
    upstream.on('data', (chunk: Buffer) => scheduler.hold(toClient, chunk));
    client.on('end', () => scheduler.hold(toServer, endOfStream));
    upstream.on('end', () => scheduler.hold(toClient, endOfStream));
    client.on('close', () => {
      open.delete(client);
      scheduler.drop(toClient);
      if (!upstream.destroyed) scheduler.hold(toServer, endOfStream);
    });
    upstream.on('close', () => {
      scheduler.drop(toServer);
      if (!client.destroyed) scheduler.hold(toClient, endOfStream);
    });
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    get rttMs() {
      return currentRtt;
    },
    set rttMs(ms: number) {
      setRtt(ms);
      currentRtt = ms;
    },
    connections: () => open.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const closeBoth of [...open.values()]) closeBoth();
        server.close(() => resolve());
      }),
  };
}
