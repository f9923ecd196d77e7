import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

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
