import { randomBytes, scrypt } from 'node:crypto';
import { MEDIA_PASSWORD_SCRYPT, type MediaPasswordHash } from '@steward/protocol';

/**
 * The media password as it goes on the media (ADR 0097): scrypt over a random salt. The site
 * keeps neither the password nor the hash; whoever holds the media holds only this.
 */
export async function hashMediaPassword(password: string): Promise<MediaPasswordHash> {
  const { N, r, p, keyLength } = MEDIA_PASSWORD_SCRYPT;
  const salt = randomBytes(16);
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLength, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, k) =>
      err ? reject(err) : resolve(k),
    ),
  );
  return { scheme: 'scrypt', N, r, p, salt: salt.toString('base64'), hash: key.toString('base64') };
}
