// node_redis 3 (installed as `redis3`), the client apicache supports; only what the bench calls.
declare module 'redis3' {
  interface RedisClient {
    quit(): boolean;
  }
  function createClient(options: { url: string }): RedisClient;
  const redis3: { createClient: typeof createClient };
  export default redis3;
}
