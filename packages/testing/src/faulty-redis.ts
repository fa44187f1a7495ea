import { closeAllClients } from './clients';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { type RedisServer, startRedis } from './redis-server';

export interface FaultyRedis {
  /** The server behind the proxy; only inside tests and hooks. */
  server(): RedisServer;
  /** Hand `proxy().url` to the clients under test and switch its mode to inject faults. */
  proxy(): FaultProxy;
}

/**
 * A redis-server behind a fault proxy for one test file: started in beforeAll, the proxy set back
 * to pass after each test, everything (clients included) closed in afterAll.
 */
export function useFaultyRedis(): FaultyRedis {
  let server: RedisServer | undefined;
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startFaultProxy(server);
  });
  afterEach(() => proxy?.pass());
  afterAll(async () => {
    await closeAllClients();
    await proxy?.close();
    await server?.stop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFaultyRedis: only available inside tests and hooks');
    return value;
  };
  return { server: () => ready(server), proxy: () => ready(proxy) };
}
