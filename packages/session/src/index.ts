/**
 * The framework-free session store engine (`createSessionStore`) both adapters wrap.
 *
 * @module @rediware/session
 */
export { jsonSerializer, type Serializer, type SessionStoreOptions, type SessionTtl } from './options';
export { type SessionMetrics, sessionMetricSpecs } from './session-metrics';
export {
  type CorruptSessionEvent,
  createSessionStore,
  SessionStore,
  type SessionStoreEvents,
  type WriteAfterDestroyEvent,
} from './session-store';
