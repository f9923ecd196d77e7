import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
} from '../../../../../test-support/apt-repo.js';
import { binaryFromParagraph } from './packages-index.js';
import {
  fetchRelease,
  findIndex,
  readIndex,
  RepositoryError,
  type SuiteLocation,
} from './repository-client.js';
import { SignatureError } from './signature.js';

// Real gpg keys, real .deb files, apt-ftparchive indexes, served on 127.0.0.1.
describe('apt repository client', () => {
  let dir: string;
  let root: string;
  let key: SigningKey;
  let stranger: SigningKey;
  let http: { url: string; server: Server; requests: string[] };
  const loc = (suite: string, keyringFile = key.keyringFile): SuiteLocation => ({
    url: http.url,
    suite,
    keyringFile,
  });
  const packages = [
    { name: 'libssl3', version: '3.0.15-1~deb12u1', source: 'openssl' },
    { name: 'openssl', version: '3.0.15-1~deb12u1' },
    { name: 'tzdata', version: '2024a-0+deb12u1' },
    { name: 'libfoo1', version: '1:2.0-3', source: 'foo', sourceVersion: '1:2.0-3' },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-apt-test-'));
    root = join(dir, 'archive');
    key = createSigningKey(dir);
    stranger = createSigningKey(dir, 'Somebody Else');
    writeSuite(root, { suite: 'good', packages, key, byHash: true });
    writeSuite(root, {
      suite: 'detached',
      packages: packages.slice(0, 1),
      key,
      signing: 'detached',
    });
    writeSuite(root, {
      suite: 'unsigned',
      packages: packages.slice(0, 1),
      key,
      signing: 'unsigned',
    });
    writeSuite(root, { suite: 'foreign', packages: packages.slice(0, 1), key: stranger });
    writeSuite(root, {
      suite: 'stale',
      packages: packages.slice(0, 1),
      key,
      validUntil: new Date(Date.now() - 86_400_000),
    });
    writeSuite(root, { suite: 'tampered', packages: packages.slice(0, 1), key });
    const inRelease = join(root, 'dists/tampered/InRelease');
    writeFileSync(
      inRelease,
      readFileSync(inRelease, 'utf8').replace('Origin: Steward Tests', 'Origin: Mallory'),
    );
    // A mirror that serves only the uncompressed index although the Release lists all three
    // forms (as a copy of apt's own lists is: apt keeps one form of each index).
    writeSuite(root, { suite: 'plainonly', packages: packages.slice(0, 2), key, byHash: true });
    const plainDir = join(root, 'dists/plainonly/main/binary-amd64');
    const plainSum = createHash('sha256')
      .update(readFileSync(join(plainDir, 'Packages')))
      .digest('hex');
    for (const f of ['Packages.xz', 'Packages.gz']) rmSync(join(plainDir, f));
    for (const f of readdirSync(join(plainDir, 'by-hash/SHA256')))
      if (f !== plainSum) rmSync(join(plainDir, 'by-hash/SHA256', f));
    writeSuite(root, { suite: 'badindex', packages: packages.slice(0, 2), key });
    writeFileSync(
      join(root, 'dists/badindex/main/binary-amd64/Packages.xz'),
      'not the indexed bytes',
    );
    http = await serveDirectory(root);
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => http.server.close(r));
    disposeSigningKey(key);
    disposeSigningKey(stranger);
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies InRelease and reads the Packages index by hash', async () => {
    const r = await fetchRelease(loc('good'));
    expect(r.fingerprint).toBe(key.fingerprint);
    expect(r.release.suite).toBe('good');
    expect(r.release.acquireByHash).toBe(true);
    const index = findIndex(r, 'main/binary-amd64/Packages');
    expect(index?.compression).toBe('xz');
    if (!index) return;
    const seen = [];
    for await (const p of readIndex(loc('good'), r, index)) seen.push(binaryFromParagraph(p));
    expect(seen.map((b) => [b.package, b.version, b.source, b.sourceVersion]).sort()).toEqual(
      [
        ['libfoo1', '1:2.0-3', 'foo', '1:2.0-3'],
        ['libssl3', '3.0.15-1~deb12u1', 'openssl', '3.0.15-1~deb12u1'],
        ['openssl', '3.0.15-1~deb12u1', 'openssl', '3.0.15-1~deb12u1'],
        ['tzdata', '2024a-0+deb12u1', 'tzdata', '2024a-0+deb12u1'],
      ].sort(),
    );
    expect(seen.every((b) => b.sha256?.length === 64 && b.filename?.startsWith('pool/'))).toBe(
      true,
    );
    expect(http.requests).toContain(`/dists/good/main/binary-amd64/by-hash/SHA256/${index.sha256}`);
  });

  it('the same signed text gives the same identity (an unchanged suite is recognised)', async () => {
    const a = await fetchRelease(loc('good'));
    const b = await fetchRelease(loc('good'));
    expect(a.textSha256).toBe(b.textSha256);
  });

  it('accepts Release with a detached Release.gpg', async () => {
    const r = await fetchRelease(loc('detached'));
    expect(r.release.suite).toBe('detached');
  });

  it.each([
    ['unsigned', 'not-signed'],
    ['foreign', 'no-public-key'],
    ['tampered', 'bad-signature'],
  ])('refuses the %s suite (%s)', async (suite, reason) => {
    const err = await fetchRelease(loc(suite)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignatureError);
    expect(err instanceof SignatureError && err.reason).toBe(reason);
  });

  it('refuses a Release past its Valid-Until', async () => {
    const err = await fetchRelease(loc('stale')).catch((e: unknown) => e);
    expect(err instanceof RepositoryError && err.reason).toBe('expired');
  });

  it('falls back to the next form the Release lists when the mirror lacks one, as apt does', async () => {
    const r = await fetchRelease(loc('plainonly'));
    const index = findIndex(r, 'main/binary-amd64/Packages');
    expect(index?.compression).toBe('xz');
    if (!index) return;
    const seen = [];
    for await (const p of readIndex(loc('plainonly'), r, index)) seen.push(p.get('package'));
    expect(seen).toHaveLength(2);
    const plain = r.release.files.get('main/binary-amd64/Packages');
    expect(http.requests).toContain(
      `/dists/plainonly/main/binary-amd64/by-hash/SHA256/${plain?.sha256 ?? '?'}`,
    );
  });

  it('refuses an index whose bytes are not the ones the Release lists', async () => {
    const r = await fetchRelease(loc('badindex'));
    const index = findIndex(r, 'main/binary-amd64/Packages');
    if (!index) throw new Error('no index');
    const read = async () => {
      for await (const p of readIndex(loc('badindex'), r, index)) void p;
    };
    const err = await read().catch((e: unknown) => e);
    expect(err instanceof RepositoryError && err.reason).toMatch(/hash-mismatch|too-large/);
  });

  it('says not-found for a suite the repository does not have', async () => {
    const err = await fetchRelease(loc('nosuch')).catch((e: unknown) => e);
    expect(err instanceof RepositoryError && err.reason).toBe('not-found');
  });
});
