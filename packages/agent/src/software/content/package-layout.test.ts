import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathInside, syncLayout } from './package-layout.js';

describe('package layout', () => {
  it('hard-links sources with manifest modes, copying when one inode needs two modes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'steward-layout-'));
    const src = join(root, 'src-a');
    writeFileSync(src, '#!/bin/sh\necho hi\n', { mode: 0o600 });
    const dir = join(root, 'pkg');
    const files = [
      { path: 'bin/run.sh', sha256: 'a'.repeat(64), size: 18, mode: 0o755 },
      { path: 'doc/run.txt', sha256: 'a'.repeat(64), size: 18, mode: 0o644 },
    ];
    await syncLayout(dir, files, () => src);
    const run = statSync(join(dir, 'bin/run.sh'));
    const doc = statSync(join(dir, 'doc/run.txt'));
    expect(run.ino).toBe(statSync(src).ino); // linked, the source took the first mode
    expect(run.mode & 0o7777).toBe(0o755);
    expect(doc.ino).not.toBe(run.ino); // copied: the shared inode keeps 0755
    expect(doc.mode & 0o7777).toBe(0o644);
    expect(readFileSync(join(dir, 'doc/run.txt'), 'utf8')).toContain('echo hi');
    // Again: the linked file is kept (same inode), a foreign file at a manifest path replaced.
    writeFileSync(join(dir, 'doc/run.txt'), 'tampered');
    await syncLayout(dir, files, () => src);
    expect(statSync(join(dir, 'bin/run.sh')).ino).toBe(run.ino);
    expect(readFileSync(join(dir, 'doc/run.txt'), 'utf8')).toContain('echo hi');
  });

  it('never lays out a file other users may write, nor a set-id one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'steward-layout-'));
    const srcA = join(root, 'src-a');
    const srcB = join(root, 'src-b');
    writeFileSync(srcA, '#!/bin/sh\necho a\n', { mode: 0o600 });
    writeFileSync(srcB, '#!/bin/sh\necho b\n', { mode: 0o600 });
    const dir = join(root, 'pkg');
    const files = [
      { path: 'install.sh', sha256: 'a'.repeat(64), size: 17, mode: 0o777 },
      { path: 'helper', sha256: 'b'.repeat(64), size: 17, mode: 0o4755 },
    ];
    await syncLayout(dir, files, (sha) => (sha.startsWith('a') ? srcA : srcB));
    expect(statSync(join(dir, 'install.sh')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dir, 'helper')).mode & 0o7777).toBe(0o755);
    // The verified source (the cache file) is not opened to other users either.
    expect(statSync(srcA).mode & 0o022).toBe(0);
  });

  it('refuses paths that leave the package', () => {
    expect(() => pathInside('/x/pkg', '../etc/passwd')).toThrow(/leaves the package/);
    expect(() => pathInside('/x/pkg', '/etc/passwd')).toThrow(/leaves the package/);
    expect(pathInside('/x/pkg', 'a/b')).toBe('/x/pkg/a/b');
  });
});
