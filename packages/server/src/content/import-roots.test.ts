import { AppError } from '@steward/protocol';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportRoots } from './import-roots.js';

const base = mkdtempSync(join(tmpdir(), 'steward-roots-'));
const root = join(base, 'root');
const data = join(base, 'data');
for (const d of [join(root, 'app'), join(root, 'db'), data]) mkdirSync(d, { recursive: true });
writeFileSync(join(root, 'db', 'steward.db'), '');
symlinkSync(data, join(root, 'to-data'));

async function codeOf(roots: ImportRoots, folder: string): Promise<string> {
  try {
    await roots.check(folder);
    return 'accepted';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('content import roots', () => {
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('accepts nothing when no root is configured', async () => {
    const none = ImportRoots.fromConfig(undefined, { dataDir: data }, {});
    expect(await codeOf(none, join(root, 'app'))).toBe('CONTENT_IMPORT_NOT_ALLOWED');
  });

  it('accepts folders inside a root, never the data directory or a database file lying inside it', async () => {
    const roots = ImportRoots.fromConfig(
      undefined,
      { dataDir: data, sqliteFile: `${join(root, 'db', 'steward.db')}` },
      { STEWARD_CONTENT_IMPORT_ROOTS: `${root}:${base}` },
    );
    expect(await codeOf(roots, join(root, 'app'))).toBe('accepted');
    for (const refused of [data, base, join(root, 'to-data'), join(root, 'db'), root, '/etc'])
      expect(await codeOf(roots, refused), refused).toBe('CONTENT_IMPORT_NOT_ALLOWED');
  });

  it('fails the start on a root that does not exist', () => {
    expect(() => ImportRoots.fromConfig([join(base, 'missing')], { dataDir: data })).toThrow(
      /content import root .* cannot be used/,
    );
  });
});
