import { createServer } from 'node:net';

const host = '127.0.0.1';

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A loopback port that was free a moment ago; the caller must still cope with losing the race. */
export async function pickFreePort(): Promise<number> {
  const port = await listenOn(0);
  if (port === undefined) throw new Error('could not bind any loopback port');
  return port;
}

// Node and bus ports handed out by this process, maybe not bound yet, so parallel picks don't collide.
// Never released: a run uses a few dozen of the ~12,000 candidates.
const handedOut = new Set<number>();

/**
 * A free port P for a cluster node: P + 10000 (its cluster bus) must be free too and below 65536.
 * Drawn from 10000–22767 so that both P and P + 10000 stay under the ephemeral range (32768+ on
 * Linux, 49152+ on macOS), where outgoing connections could grab them between our check and the bind.
 */
export async function pickFreeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 12_768);
    if (handedOut.has(port) || handedOut.has(port + 10_000)) continue;
    // Reserved before the checks, which yield to other picks running in parallel.
    handedOut.add(port);
    handedOut.add(port + 10_000);
    if ((await listenOn(port)) !== undefined && (await listenOn(port + 10_000)) !== undefined) return port;
    handedOut.delete(port);
    handedOut.delete(port + 10_000);
  }
  throw new Error('could not find a free loopback port pair (P, P + 10000) for a cluster node');
}
