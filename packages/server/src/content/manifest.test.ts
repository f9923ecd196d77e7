import { AppError } from '@steward/protocol';
import { describe, expect, it } from 'vitest';
import { badPathReason, checkManifest } from './manifest.js';

const entry = (path: string) => ({ path, sha256: 'a'.repeat(64), size: 1, mode: 0o644 });

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('package paths', () => {
  it.each(['a', 'bin/run.sh', 'a/b/c.d', '.hidden', 'x..y'])('accepts %s', (p) => {
    expect(badPathReason(p)).toBeUndefined();
  });
  it.each(['', '/etc/passwd', 'a//b', 'a/./b', '../x', 'a/..', 'dir/', 'a\\b', 'a\0b'])(
    'refuses %j',
    (p) => {
      expect(badPathReason(p)).toBeDefined();
    },
  );

  it('refuses duplicates and a path that is both a file and a folder', () => {
    expect(codeOf(() => checkManifest([entry('a'), entry('b/c')]))).toBeUndefined();
    expect(codeOf(() => checkManifest([entry('a'), entry('a')]))).toBe('DUPLICATE_PATH');
    expect(codeOf(() => checkManifest([entry('bin'), entry('bin/run.sh')]))).toBe('DUPLICATE_PATH');
    expect(codeOf(() => checkManifest([entry('a//b')], 'INVALID_ARCHIVE'))).toBe('INVALID_ARCHIVE');
  });
});
