import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrations } from './index.js';

// Landed migrations are immutable: a site that already ran one never runs it again, so an edit
// would make new sites and old sites hold different schemas without anyone noticing.
const dir = dirname(fileURLToPath(import.meta.url));
const LEDGER = 'landed.sha256';
const MIGRATION_FILE = /^\d{8}T\d{4}-[a-z0-9-]+\.ts$/;

function ledger(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(join(dir, LEDGER), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (!m?.[1] || !m[2]) throw new Error(`${LEDGER}: malformed line "${line}"`);
    entries.set(m[2], m[1]);
  }
  return entries;
}

const files = readdirSync(dir).filter((f) => MIGRATION_FILE.test(f));
const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, file)))
    .digest('hex');

describe('landed migrations', () => {
  it.each(files)('%s is in the checksum ledger', (file) => {
    expect(
      ledger().has(file),
      `migration ${file} has no checksum: once it is final, add it with\n` +
        `  (cd packages/server/src/db/migrations && sha256sum ${file} >> ${LEDGER})`,
    ).toBe(true);
  });

  it.each([...ledger()])('%s is unchanged since it landed', (file, expected) => {
    expect(
      files.includes(file),
      `${file} is in ${LEDGER} but gone: landed migrations are never removed`,
    ).toBe(true);
    expect(
      sha256(file),
      `${file} changed after it landed. Never edit a landed migration: sites that already ran it ` +
        `will not run it again. Restore it and add a new migration with the change.`,
    ).toBe(expected);
  });

  it('registers every migration file, in name order', () => {
    const names = Object.keys(migrations('sqlite'));
    expect(names).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
    expect(Object.keys(migrations('postgres'))).toEqual(names);
  });
});
