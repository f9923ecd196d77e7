import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { importArchive } from './archive.js';
import { ContentStore } from './content-store.js';

/** A tar stream of `count` small files (and one folder entry). */
function archive(count: number): Readable {
  const pack = tar.pack();
  pack.entry({ name: 'dir/', type: 'directory' });
  for (let i = 0; i < count; i++) pack.entry({ name: `dir/f${i}.txt`, mode: 0o644 }, `file ${i}`);
  pack.finalize();
  return Readable.from(pack);
}

describe('archive import', () => {
  const store = () => new ContentStore(mkdtempSync(join(tmpdir(), 'steward-archive-')));

  it('stores every file and returns the manifest', async () => {
    const files = await importArchive(store(), archive(3), {
      gzip: false,
      onStored: async () => undefined,
      maxEntries: 4,
    });
    expect(files.map((f) => f.path)).toEqual(['dir/f0.txt', 'dir/f1.txt', 'dir/f2.txt']);
  });

  it('refuses an archive with more entries than allowed, folders included', async () => {
    await expect(
      importArchive(store(), archive(3), {
        gzip: false,
        onStored: async () => undefined,
        maxEntries: 3,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARCHIVE', details: { maxEntries: 3 } });
  });
});
