import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanSoftwareFiles } from './software-files.js';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'steward-scan-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'lib', 'deep'), { recursive: true });
  writeFileSync(join(root, 'bin', 'tool'), '#!/bin/sh\necho tool\n');
  chmodSync(join(root, 'bin', 'tool'), 0o755);
  writeFileSync(join(root, 'bin', 'readme.txt'), 'not executable');
  writeFileSync(join(root, 'lib', 'deep', 'helper'), 'x'.repeat(2048));
  chmodSync(join(root, 'lib', 'deep', 'helper'), 0o700);
  // A loop: lib/deep/up -> lib, and a dangling link.
  symlinkSync(join(root, 'lib'), join(root, 'lib', 'deep', 'up'));
  symlinkSync(join(root, 'nowhere'), join(root, 'bin', 'dangling'));
  return root;
}

describe('software file scan', () => {
  it('finds executable regular files with hashes and survives symlink loops', async () => {
    const root = tree();
    const result = await scanSoftwareFiles([root]);
    expect(result.truncated).toBe(false);
    expect(result.files.map((f) => f['path'])).toEqual([
      join(root, 'bin', 'tool'),
      join(root, 'lib', 'deep', 'helper'),
    ]);
    const tool = result.files[0];
    expect(tool?.['name']).toBe('tool');
    expect(tool?.['sizeBytes']).toBe(20);
    expect(tool?.['sha256']).toBe(
      createHash('sha256').update('#!/bin/sh\necho tool\n').digest('hex'),
    );
    expect(result.unreadable).toBe(1); // the dangling link
  });

  it('is bounded and leaves big files unhashed', async () => {
    const root = tree();
    const limited = await scanSoftwareFiles([root], 1);
    expect(limited.files).toHaveLength(1);
    expect(limited.truncated).toBe(true);
    const noHash = await scanSoftwareFiles([root], 10, 1024);
    expect(noHash.files.find((f) => f['name'] === 'helper')?.['sha256']).toBeNull();
    expect(noHash.files.find((f) => f['name'] === 'tool')?.['sha256']).not.toBeNull();
  });

  it('ignores paths that do not exist', async () => {
    expect((await scanSoftwareFiles(['/no/such/dir'])).files).toEqual([]);
  });
});
