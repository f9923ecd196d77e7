import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { MEDIA_PASSWORD_SCRYPT, type SealedMediaKey } from './schemas.js';

function derive(password: string, salt: Buffer, c: { N: number; r: number; p: number }) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password,
      salt,
      32,
      { N: c.N, r: c.r, p: c.p, maxmem: 256 * c.N * c.r + 1024 * 1024 },
      (err, k) => (err ? reject(err) : resolve(k)),
    ),
  );
}

/** A new capture key (ADR 0107): 32 random bytes, base64url (43 characters). */
export function newMediaKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Seals a capture key with the media password (ADR 0107): whoever holds password-protected
 * media without the password cannot read the key off them. scrypt with the password hash's
 * costs over a salt of its own, then AES-256-GCM.
 */
export async function sealMediaKey(key: string, password: string): Promise<SealedMediaKey> {
  const { N, r, p } = MEDIA_PASSWORD_SCRYPT;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', await derive(password, salt, { N, r, p }), iv);
  const data = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
  return {
    scheme: 'scrypt-aes-256-gcm',
    N,
    r,
    p,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** The sealed key, or undefined when `password` is not the one it was sealed with. */
export async function unsealMediaKey(
  sealed: SealedMediaKey,
  password: string,
): Promise<string | undefined> {
  const key = await derive(password, Buffer.from(sealed.salt, 'base64'), sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}
