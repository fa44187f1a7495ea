export { buildExpressApp, buildFastifyApp, type ListeningApp, listenExpress, listenFastify } from './apps';
export { useCleanup } from './cleanup';
export {
  type AnyRedisClient,
  closeAllClients,
  closeClient,
  connectIoredis,
  connectIoredisCluster,
  connectNodeRedis,
  connectNodeRedisCluster,
  destroyNodeRedis,
  type IoredisClient,
  type IoredisClusterClient,
  type NodeRedisClient,
  type NodeRedisClusterClient,
} from './clients';
export { type Failover, type FailoverOptions, masterOwning, throughFailover } from './cluster-failover';
export { commandCalls, scriptCalls, scriptsRun } from './command-calls';
export { type FailoverCluster, useFailoverCluster } from './failover-cluster';
export { expectAnsweredWithin, expectProblem503, loadDuringFault } from './fault-load';
export {
  expectNoUnhandledRejection,
  faultyClient,
  frameworkClientMatrix,
  type MatrixClient,
  recoversWith,
} from './fault-matrix';
export { type FaultMode, type FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy';
export { type FaultyRedis, useFaultyRedis } from './faulty-redis';
export { pickFreePort } from './free-port';
export { encodedUnicode, headerValue } from './header-values';
export { lockDownRedis, lockedDown } from './locked-down-redis';
export { type MonitorCounts, monitor } from './monitor-commands';
export { type OldGenerationChurn, oldGenerationGrowth } from './old-generation-growth';
export { onOwner } from './on-owner';
export { pinnedHost, pinnedRequest } from './pinned-request';
export { abandonedGet, type RawReply, rawRequest } from './raw-http';
export { type ClusterNode, type RedisCluster, type StartClusterOptions, startCluster } from './redis-cluster';
export { type Address, type RedisReply, RedisReplyError, redisCommand } from './redis-command';
export { type RedisFault, redisFaults } from './redis-faults';
export { allKeys } from './redis-keys';
export { type RedisServer, redisServerNotFound, type StartRedisOptions, startRedis } from './redis-server';
export { type RedisTarget, type RedisTargetName, redisTargetNames, useRedisTargets } from './redis-targets';
export { type SourceImport, type SourceTree, sourceTree } from './source-imports';
export { type TimersMade, useTimerWatch } from './timer-watch';
export { useUnhandledRejections } from './unhandled-rejections';
export { eventually, rejectionOf, type Timed, timed, waitFor } from './waiting';
export { killWorkers, spawnWorker, type Worker } from './worker-process';
