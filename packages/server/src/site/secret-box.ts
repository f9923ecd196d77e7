import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from './master-key.js';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that cannot be opened: unknown key, damaged or not sealed at all. */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/** Whether a stored value is an envelope written by `seal`. */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The id of the master key that sealed `value`; undefined when it is not sealed. */
export function sealedKeyId(value: string): string | undefined {
  return isSealed(value) ? value.slice(PREFIX.length).split(':', 1)[0] : undefined;
}

/**
 * Encrypts the site's secrets at rest (AES-256-GCM) with the site master key, which lives
 * outside the database: a copy of the database alone reveals no secret. Every secret the site
 * stores (the CA key, the policy-signing key, later push credentials and repository keys) goes
 * through `seal` before it is written and `open` after it is read.
 *
 * Envelope: `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts). The key id lets a
 * rotation, and a process started with the wrong key, tell which key sealed what.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;

  /** Seals with `current`; opens what `current` or any of `others` sealed (rotation). */
  constructor(
    private readonly current: MasterKey,
    others: readonly MasterKey[] = [],
  ) {
    this.keys = new Map([...others, current].map((k) => [k.id, k.key]));
  }

  get keyId(): string {
    return this.current.id;
  }

  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return `${PREFIX}${this.current.id}:${parts.join(':')}`;
  }

  open(sealed: string): string {
    if (!isSealed(sealed)) throw new SecretBoxError('the value is not sealed');
    const [keyId, iv, tag, body, ...rest] = sealed.slice(PREFIX.length).split(':');
    if (keyId === undefined || iv === undefined || tag === undefined || body === undefined)
      throw new SecretBoxError('the sealed value is damaged');
    if (rest.length > 0) throw new SecretBoxError('the sealed value is damaged');
    const key = this.keys.get(keyId);
    if (key === undefined)
      throw new SecretBoxError(
        `the value is sealed with master key ${keyId}, which this process does not have`,
      );
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
      throw new SecretBoxError('the sealed value is damaged');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        `the value sealed with master key ${keyId} does not open (damaged or altered)`,
      );
    }
  }
}
