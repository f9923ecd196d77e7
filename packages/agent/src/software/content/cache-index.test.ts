import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger.js';
import { CacheIndex } from './cache-index.js';

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function withFiles(sizes: number[]) {
  const stateDir = mkdtempSync(join(tmpdir(), 'steward-cache-'));
  const index = await CacheIndex.open(stateDir, silentLogger);
  const shas: string[] = [];
  for (const [i, size] of sizes.entries()) {
    const body = randomBytes(size);
    const s = sha(body);
    writeFileSync(index.filePath(s), body);
    await index.add(s, 1000 + i); // older first
    shas.push(s);
  }
  await index.save();
  return { stateDir, index, shas };
}

describe('content cache index', () => {
  it('evicts least recently used files first and never a pinned one', async () => {
    const { index, shas } = await withFiles([100, 100, 100, 100]);
    const [a, b, c, d] = shas as [string, string, string, string];
    index.touch([a], 5000); // a becomes the most recent
    const unpin = index.pin([b]);
    const room = await index.makeRoom(150, 400);
    // 400 held + 150 > 400: two files must go; b is oldest but pinned -> c, then d.
    expect(room).toEqual({ ok: true, evicted: [c, d] });
    expect(index.has(a) && index.has(b)).toBe(true);
    expect(existsSync(index.filePath(c))).toBe(false);
    unpin();
    expect(await index.makeRoom(300, 400)).toEqual({ ok: true, evicted: [b] });
  });

  it('says so when pinned content leaves no room', async () => {
    const { index, shas } = await withFiles([300]);
    index.pin(shas);
    const room = await index.makeRoom(200, 400);
    expect(room.ok).toBe(false);
    if (!room.ok) expect(room.reason).toMatch(/300 bytes are held by content prepared/);
    expect(index.has(shas[0] ?? '')).toBe(true);
  });

  it('re-hashes a cached file whose mtime changed and drops it when modified', async () => {
    const { index, shas } = await withFiles([64]);
    const s = shas[0] ?? '';
    expect(await index.verify(s)).toBe(true);
    // Same size, different bytes: what a program writing through a hard link would do.
    writeFileSync(index.filePath(s), randomBytes(64));
    expect(await index.verify(s)).toBe(false);
    expect(index.has(s)).toBe(false);
    expect(existsSync(index.filePath(s))).toBe(false);
  });

  it('survives restarts: reloads entries, adopts verified orphans, deletes bad ones', async () => {
    const { stateDir, index, shas } = await withFiles([10, 20]);
    index.markFailure('v1', 42);
    await index.save();
    const orphan = randomBytes(30);
    writeFileSync(index.filePath(sha(orphan)), orphan); // moved in, index not yet written
    writeFileSync(index.filePath('f'.repeat(64)), 'not what its name says');
    const reopened = await CacheIndex.open(stateDir, silentLogger);
    expect(shas.every((s) => reopened.has(s))).toBe(true);
    expect(reopened.has(sha(orphan))).toBe(true);
    expect(existsSync(reopened.filePath('f'.repeat(64)))).toBe(false);
    expect(reopened.firstFailure('v1')).toBe(42);
    expect(reopened.totalBytes()).toBe(60);
  });
});
