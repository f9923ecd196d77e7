import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { ApiClient } from '@steward/protocol';
import { createPackageFromFiles } from '../../../../test-support/software.js';
import type { Database } from '../../src/db/tables/index.js';
import { insertBuiltBootImage } from './boot-images.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A built boot image named `media-test` (site URL https://127.0.0.1:8443) whose kernel and
 * initramfs are these bytes, put into the library as any content is; its id.
 */
export async function insertMediaBootImage(
  api: ApiClient,
  db: Kysely<Database>,
  kernel: Buffer,
  initrd: Buffer,
): Promise<string> {
  await createPackageFromFiles(api, 'media-boot-files', [
    { path: 'vmlinuz', content: kernel },
    { path: 'initrd.img', content: initrd },
  ]);
  return insertBuiltBootImage(db, {
    name: 'media-test',
    siteUrl: 'https://127.0.0.1:8443',
    status: 'ready',
    files: [
      { name: 'vmlinuz', sha256: sha256(kernel), size: kernel.length },
      { name: 'initrd.img', sha256: sha256(initrd), size: initrd.length },
    ],
  });
}

/** Runs xorriso on an ISO image; its output (xorriso reports on stderr too). */
export function xorriso(args: string[]): string {
  const r = spawnSync('xorriso', args, { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return `${r.stdout}${r.stderr}`;
}

/** Extracts one file of an ISO image. */
export function isoFile(iso: string, path: string, dir: string): Buffer {
  const out = join(dir, path.replace(/\//g, '_'));
  xorriso(['-osirrox', 'on', '-indev', iso, '-extract', path, out]);
  return readFileSync(out);
}
