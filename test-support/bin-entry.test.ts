// The bins' choice between the esbuild bundle and dist/ (scripts/bin-entry.mjs, ADR 0090): the
// bundle only when it is at least as new as the tsc build of every package it holds.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLES, entryFor } from '../scripts/bin-entry.mjs';

const bundle = BUNDLES.cli;
let root: string;

/** Writes `rel` under the fake checkout with its modification time `seconds` after the epoch. */
function file(rel: string, seconds: number): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, seconds, seconds);
}
const built = (seconds: number) =>
  bundle.sources.forEach((p, i) => file(`packages/${p}/tsconfig.tsbuildinfo`, seconds - i));

describe('bin entry', () => {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'steward-bin-entry-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs the bundle when it is as new as every build it holds', () => {
    built(1000);
    file(bundle.outfile, 1000);
    expect(entryFor(bundle, root, {})).toBe(join(root, bundle.outfile));
  });

  it('runs dist when any package was built after the bundle', () => {
    built(1000);
    file(bundle.outfile, 999);
    expect(entryFor(bundle, root, {})).toBe(join(root, bundle.entry));
  });

  it('runs dist without a bundle, and when STEWARD_NO_BUNDLE=1', () => {
    built(1000);
    expect(entryFor(bundle, root, {})).toBe(join(root, bundle.entry));
    file(bundle.outfile, 2000);
    expect(entryFor(bundle, root, { STEWARD_NO_BUNDLE: '1' })).toBe(join(root, bundle.entry));
  });

  it('names bundles inside the dist folder of the package they run', () => {
    for (const b of Object.values(BUNDLES)) {
      expect(b.outfile.startsWith(`${b.outdir}/`)).toBe(true);
      expect(dirname(b.outdir)).toBe(dirname(b.entry));
    }
  });
});
