import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Feeds a file's bytes into `hash` (streamed: package files can be gigabytes). */
export async function hashInto(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    if (typeof chunk === 'string') hash.update(chunk, 'utf8');
    else if (chunk instanceof Uint8Array) hash.update(chunk);
  }
}

/** Lower-case hex SHA-256 of a file. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, path);
  return hash.digest('hex');
}
