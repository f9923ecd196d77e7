import { scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MEDIA_MANIFEST_FILE, MediaManifest, type MediaPasswordHash } from '@steward/protocol';
import { AgentError } from '../errors.js';
import { parseJsonText, parseWith } from '../parse.js';

/** How many wrong passwords the boot environment takes before it refuses the media. */
export const MEDIA_PASSWORD_ATTEMPTS = 3;

/**
 * The media's `media.json` for a `--media` folder: in the folder itself, or beside it (the
 * folder is `steward/content/` of standalone media, the manifest `steward/media.json`).
 * Undefined for a bare folder (a test's, or one made by hand): no password to ask.
 */
export async function readMediaManifest(media: string): Promise<MediaManifest | undefined> {
  const path = [join(media, MEDIA_MANIFEST_FILE), join(dirname(media), MEDIA_MANIFEST_FILE)].find(
    (p) => existsSync(p),
  );
  if (path === undefined) return undefined;
  return parseWith(
    MediaManifest,
    parseJsonText(await readFile(path, 'utf8'), path, 'USAGE'),
    path,
    'USAGE',
  );
}

/** Whether `given` is the password the hash was made from (scrypt, constant-time compare). */
export async function mediaPasswordMatches(
  hash: MediaPasswordHash,
  given: string,
): Promise<boolean> {
  const expected = Buffer.from(hash.hash, 'base64');
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      given,
      Buffer.from(hash.salt, 'base64'),
      expected.length,
      { N: hash.N, r: hash.r, p: hash.p, maxmem: 256 * hash.N * hash.r + 1024 * 1024 },
      (err, k) => (err ? reject(err) : resolve(k)),
    ),
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Asks for the media password before anything from the media runs (ADR 0097): up to
 * MEDIA_PASSWORD_ATTEMPTS answers from `ask` (the console prompt, or a file's line), then
 * MEDIA_PASSWORD_WRONG. Media without a password pass at once (undefined); otherwise the
 * password that matched (capture media's key is sealed with it, ADR 0107).
 */
export async function unlockMedia(
  manifest: MediaManifest | undefined,
  ask: (attempt: number) => Promise<string | undefined>,
): Promise<string | undefined> {
  const hash = manifest?.password;
  if (!hash) return undefined;
  for (let attempt = 1; attempt <= MEDIA_PASSWORD_ATTEMPTS; attempt++) {
    const given = await ask(attempt);
    if (given === undefined) break;
    if (await mediaPasswordMatches(hash, given)) return given;
  }
  throw new AgentError(
    'MEDIA_PASSWORD_WRONG',
    `the password of media ${manifest.name} was not given: nothing from them runs`,
  );
}
