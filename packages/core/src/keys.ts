import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { RediwareConfigError } from './errors';

/** Identities made only of these characters and at most this long are kept readable in keys. */
const plainIdentity = /^[A-Za-z0-9_.:@/+=-]{1,64}$/;

/**
 * The hash-tag part of a key. Long, empty or not-plain identities (braces, glob characters,
 * spaces, NUL, unicode, binary) are hashed, so an identity can never break the hash tag, inject
 * a SCAN pattern or leave the prefix. The '#' marker keeps hashed and plain identities apart.
 */
export function identityTag(identity: string | Buffer): string {
  if (typeof identity !== 'string') return hashed(identity);
  if (plainIdentity.test(identity)) return identity;
  let tag = recentTags.get(identity);
  if (tag === undefined) {
    tag = hashed(identity);
    recentTags.set(identity, tag);
  }
  return tag;
}

/**
 * The tags of the string identities hashed lately: a hot key (a cached URL, a rate-limited API
 * key) is hashed once, not on every request. Bounded by count and by the identities' length.
 */
const recentTags = new LRUCache<string, string>({
  max: 4096,
  maxSize: 4 * 1024 * 1024,
  sizeCalculation: (_, key) => key.length + 1,
});

function hashed(identity: string | Buffer): string {
  return `#${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}`;
}

/** Escapes Redis glob characters so a prefix matches itself literally in SCAN MATCH. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

/** Builds and reads the keys of one feature under one prefix (see `createKeyspace`). */
export interface Keyspace {
  /** The prefix and feature every key starts with, e.g. `rw:rl:`. */
  readonly base: string;
  /** `<prefix><feature>:{<identity>}:<suffix>`; every key of one identity shares one slot. */
  key(identity: string | Buffer, suffix: string): string;
  /** A SCAN MATCH pattern for every key of this keyspace with the given suffix. */
  pattern(suffix: string): string;
  /** The identity tag inside a key of this keyspace, or undefined for a foreign key. */
  tagOf(key: string): string | undefined;
}

/** Checks a `prefix` option: a string of at most 128 characters without braces or whitespace. */
export function checkPrefix(prefix: unknown, option = 'prefix'): string {
  if (typeof prefix !== 'string' || /[{}\s]/.test(prefix) || prefix.length > 128) {
    throw new RediwareConfigError(
      option,
      'a string of at most 128 characters without braces or spaces',
      prefix,
    );
  }
  return prefix;
}

/** The keys of `feature` under `prefix`: `<prefix><feature>:{<identity>}:<suffix>`. */
export function createKeyspace(prefix: string, feature: string): Keyspace {
  const base = `${checkPrefix(prefix)}${feature}:`;
  return {
    base,
    key: (identity, suffix) => `${base}{${identityTag(identity)}}:${suffix}`,
    pattern: (suffix) => `${escapeGlob(base)}{*}:${escapeGlob(suffix)}`,
    tagOf(key) {
      if (!key.startsWith(`${base}{`)) return undefined;
      const end = key.indexOf('}', base.length + 1);
      return end === -1 ? undefined : key.slice(base.length + 1, end);
    },
  };
}

/** The part of a key Redis Cluster hashes: the first non-empty `{...}`, else the whole key. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
