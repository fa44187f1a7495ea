import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { RediwareConfigError } from '@rediware/core';

/** A derived AES-256 key and the short id stored beside each ciphertext to find it again. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

const minimumSecretBytes = 32;
const version = 'rw1';
const ivBytes = 12;
const tagBytes = 16;

/**
 * Derives one AES-256 key per secret with HKDF, so a secret of any length (at least 32 random
 * bytes) gives a uniform key. The id lets decryption pick the right key instead of trying each.
 */
export function parseEncryptionKeys(value: unknown): readonly EncryptionKey[] {
  const expected = `a non-empty array of secrets (strings or bytes) of at least ${minimumSecretBytes} bytes each`;
  if (!Array.isArray(value) || value.length === 0) {
    throw new RediwareConfigError('encryptionKeys', expected, value);
  }
  return Object.freeze(
    value.map((secret: unknown, index) => {
      const bytes =
        typeof secret === 'string'
          ? Buffer.from(secret)
          : secret instanceof Uint8Array
            ? Buffer.from(secret)
            : null;
      if (bytes === null || bytes.length < minimumSecretBytes) {
        throw new RediwareConfigError(`encryptionKeys[${index}]`, expected, secret);
      }
      const key = Buffer.from(hkdfSync('sha256', bytes, 'rediware-session', 'aes-256-gcm', 32));
      const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
      return Object.freeze({ id, key });
    }),
  );
}

/**
 * `rw1.<key id>.<iv|tag|ciphertext in base64url>`. The session's storage id is the additional
 * authenticated data, so a record copied under another session id does not decrypt.
 */
export function encryptRecord(plaintext: string, keys: readonly EncryptionKey[], storageId: string): string {
  const current = keys[0] as EncryptionKey;
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(Buffer.from(storageId));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const sealed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  return `${version}.${current.id}.${sealed}`;
}

/** The plaintext; throws when the record is not ours, its key is gone, or it was tampered with. */
export function decryptRecord(record: string, keys: readonly EncryptionKey[], storageId: string): string {
  const [marker, keyId, sealed] = record.split('.');
  if (marker !== version || sealed === undefined) throw new Error('the record is not encrypted');
  const match = keys.find((candidate) => candidate.id === keyId);
  if (match === undefined) throw new Error(`no encryption key with id ${keyId} is configured`);
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < ivBytes + tagBytes) throw new Error('the encrypted record is truncated');
  const decipher = createDecipheriv('aes-256-gcm', match.key, bytes.subarray(0, ivBytes));
  decipher.setAAD(Buffer.from(storageId));
  decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
  return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString(
    'utf8',
  );
}
