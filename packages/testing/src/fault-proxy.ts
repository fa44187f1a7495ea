import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { Address } from './redis-command';

export type FaultMode = 'pass' | 'stall' | 'slow' | 'refuse';

export interface FaultProxyOptions {
  /**
   * 'subscribers': faults hit only the connections that sent SUBSCRIBE (a client's pub/sub link),
   * every other connection always passes; in refuse mode a connection is reset once it subscribes.
   * Default 'all'.
   */
  only?: 'all' | 'subscribers';
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:PORT, to hand to a client instead of the real server's URL. */
  readonly url: string;
  readonly mode: FaultMode;
  /** Forward normally; anything held while stalled or slowed is delivered now, in order. */
  pass(): void;
  /** A Redis that never answers: connections are accepted and kept, nothing is forwarded either way. */
  stall(): void;
  /** Every chunk from the server reaches the client `delayMs` late (requests are not delayed). */
  slow(delayMs: number): void;
  /** A Redis that is down: open connections are closed and new ones are reset as soon as accepted. */
  refuse(): void;
  /** Drops every open connection with a TCP RST, like a crashed peer; keeps accepting in the current mode. */
  reset(): void;
  /** Open client connections. */
  connections(): number;
  close(): Promise<void>;
}

/*
 * Stall holds data instead of dropping it: pass() then delivers everything, in order, so each
 * connection's RESP stream stays whole and clients see a Redis that paused rather than one that lost
 * bytes (which would pair later replies with the wrong commands). A client that gave up on a
 * command meanwhile still gets its reply later, exactly as with a real server that hung for a while.
 * A server-side close seen while stalled is held the same way: the client learns of it on pass().
 */

interface Controls {
  readonly mode: FaultMode;
  readonly delayMs: number;
}

/** One direction of a connection: a FIFO of chunks released according to the proxy's mode. */
class Flow {
  private readonly queue: Array<{ data: Buffer; dueAt: number }> = [];
  private lastDueAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly to: Socket,
    private readonly controls: Controls,
    private readonly slowed: boolean,
  ) {}

  push(data: Buffer): void {
    const delay = this.slowed && this.controls.mode === 'slow' ? this.controls.delayMs : 0;
    // Never earlier than the chunk before, so lowering the delay can't reorder the stream.
    this.lastDueAt = Math.max(Date.now() + delay, this.lastDueAt);
    this.queue.push({ data, dueAt: this.lastDueAt });
    this.pump();
  }

  /** The source closed: finish delivering, then close the destination. */
  end(): void {
    this.ended = true;
    this.pump();
  }

  pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.controls.mode === 'stall' || this.to.destroyed) return;
    for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
      const wait = this.controls.mode === 'slow' ? head.dueAt - Date.now() : 0;
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        return;
      }
      this.queue.shift();
      this.to.write(head.data);
    }
    if (this.ended) {
      this.ended = false;
      this.to.end();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

/** A RESP command array naming SUBSCRIBE (any case), as clients send it. */
const subscribeCommand = /\$9\r\nsubscribe\r\n/i;

class Connection implements Controls {
  private readonly upstream: Socket;
  private readonly toServer: Flow;
  private readonly toClient: Flow;
  /** Whether the proxy's faults apply to this connection (see FaultProxyOptions.only). */
  faulty: boolean;

  constructor(
    private readonly client: Socket,
    target: Address,
    private readonly controls: Controls,
    private readonly onlySubscribers: boolean,
    private readonly onClose: () => void,
  ) {
    this.faulty = !onlySubscribers;
    this.upstream = connect({ host: target.host, port: target.port });
    this.toServer = new Flow(this.upstream, this, false);
    this.toClient = new Flow(client, this, true);
    for (const socket of [client, this.upstream]) {
      socket.setNoDelay(true);
      socket.on('error', () => {
        // Peers vanish on purpose here; 'close' follows and does the cleanup.
      });
    }
    client.on('data', (data: Buffer) => {
      if (!this.faulty && this.onlySubscribers && subscribeCommand.test(data.toString('latin1'))) {
        this.faulty = true;
        if (this.mode === 'refuse') return this.reset();
      }
      this.toServer.push(data);
    });
    this.upstream.on('data', (data: Buffer) => this.toClient.push(data));
    this.upstream.on('close', () => this.toClient.end());
    client.on('close', () => this.destroy());
  }

  get mode(): FaultMode {
    return this.faulty ? this.controls.mode : 'pass';
  }

  get delayMs(): number {
    return this.controls.delayMs;
  }

  pump(): void {
    this.toServer.pump();
    this.toClient.pump();
  }

  destroy(): void {
    this.toServer.dispose();
    this.toClient.dispose();
    this.client.destroy();
    this.upstream.destroy();
    this.onClose();
  }

  reset(): void {
    if (!this.client.destroyed) this.client.resetAndDestroy();
    this.destroy();
  }
}

/** A TCP proxy on a free loopback port in front of `target`, to make a Redis fail on demand. */
export async function startFaultProxy(target: Address, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const controls = { mode: 'pass' as FaultMode, delayMs: 0 };
  const onlySubscribers = options.only === 'subscribers';
  const open = new Set<Connection>();
  const server = createServer((client) => {
    if (controls.mode === 'refuse' && !onlySubscribers) {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const connection = new Connection(client, target, controls, onlySubscribers, () =>
      open.delete(connection),
    );
    open.add(connection);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const setMode = (mode: FaultMode, delayMs = 0): void => {
    controls.mode = mode;
    controls.delayMs = delayMs;
    for (const connection of open) connection.pump();
  };
  let closing: Promise<void> | undefined;

  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    get mode() {
      return controls.mode;
    },
    pass: () => setMode('pass'),
    stall: () => setMode('stall'),
    slow: (delayMs) => {
      if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new RangeError(`slow(): bad delay ${delayMs}`);
      setMode('slow', delayMs);
    },
    refuse: () => {
      setMode('refuse');
      for (const connection of open) if (connection.faulty) connection.destroy();
    },
    reset: () => {
      for (const connection of open) if (connection.faulty) connection.reset();
    },
    connections: () => open.size,
    close: () => {
      closing ??= new Promise((resolve) => {
        for (const connection of open) connection.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
