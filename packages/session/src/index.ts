export { jsonSerializer, type Serializer, type SessionStoreOptions } from './options';
export {
  type CorruptSessionEvent,
  createSessionStore,
  SessionStore,
  type SessionStoreEvents,
  type WriteAfterDestroyEvent,
} from './session-store';
