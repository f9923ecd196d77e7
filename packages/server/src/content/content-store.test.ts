import { AppError } from '@steward/protocol';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentStore } from './content-store.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('ContentStore', () => {
  let root: string;
  let store: ContentStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'content-store-'));
    store = new ContentStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores a stream under its hash and reads it back, whole and by range', async () => {
    const bytes = Buffer.from('hello, content library\n'.repeat(1000));
    const put = await store.putStream(Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]));
    expect(put).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect(store.pathOf(put.sha256)).toBe(join(root, 'sha256', put.sha256.slice(0, 2), put.sha256));
    expect(readFileSync(store.pathOf(put.sha256))).toEqual(bytes);
    expect(await store.has(put.sha256)).toBe(true);
    expect(await store.size(put.sha256)).toBe(bytes.length);
    const part: Buffer[] = [];
    for await (const c of store.createReadStream(put.sha256, { start: 5, end: 9 }))
      part.push(c as Buffer);
    expect(Buffer.concat(part).toString()).toBe(', con');
    expect(await store.verify(put.sha256)).toBe(true);
    // storing the same bytes again is harmless
    expect(await store.putStream(Readable.from([bytes]), sha(bytes))).toEqual(put);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses bytes that do not hash to the expected value and keeps nothing', async () => {
    const wrong = sha('something else');
    expect(await refusal(store.putStream(Readable.from([Buffer.from('abc')]), wrong))).toBe(
      'CONTENT_HASH_MISMATCH',
    );
    expect(await store.has(wrong)).toBe(false);
    expect(await store.has(sha('abc'))).toBe(false);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses names that are not lower-case hex SHA-256 before touching the disk', async () => {
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'a'.repeat(63), '']) {
      expect(() => store.pathOf(bad)).toThrow(AppError);
      expect(await refusal(store.has(bad))).toBe('INVALID_INPUT');
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('commits a good partial file and drops a bad one', async () => {
    const good = Buffer.from('partial content');
    const path = await store.preparePartial(sha(good));
    writeFileSync(path, good);
    await store.commitPartial(sha(good));
    expect(await store.verify(sha(good))).toBe(true);
    expect(readdirSync(join(root, 'partial'))).toEqual([]);

    const expected = sha('the real bytes');
    writeFileSync(await store.preparePartial(expected), 'corrupted bytes');
    expect(await refusal(store.commitPartial(expected))).toBe('CONTENT_HASH_MISMATCH');
    expect(await store.has(expected)).toBe(false);
    expect(readdirSync(join(root, 'partial'))).toEqual([]);
  });

  it('verify finds a damaged or missing file; remove deletes', async () => {
    const { sha256 } = await store.putStream(Readable.from([Buffer.from('intact')]));
    writeFileSync(store.pathOf(sha256), 'damaged');
    expect(await store.verify(sha256)).toBe(false);
    await store.remove(sha256);
    expect(await store.has(sha256)).toBe(false);
    expect(await store.verify(sha256)).toBe(false);
    expect(await store.size(sha256)).toBeUndefined();
  });
});
