import { describe, expect, it } from 'vitest';
import { parseDeb822, streamDeb822 } from './deb822.js';
import { binaryFromParagraph, IndexEntryError } from './packages-index.js';
import { byHashPath, parseRelease, pickIndex, ReleaseError } from './release.js';
import { judgeStatus, SignatureError } from './signature.js';

const SUM = 'a'.repeat(64);
const RELEASE = `Origin: Debian
Label: Debian-Security
Suite: oldstable-security
Codename: bookworm-security
Date: Sat, 05 Dec 2026 03:33:28 UTC
Valid-Until: Sat, 12 Dec 2026 03:33:28 UTC
Acquire-By-Hash: yes
Architectures: amd64 arm64
Components: updates/main updates/contrib
Description: Debian 12 - Security Updates
MD5Sum:
 ${'b'.repeat(32)} 10 main/binary-amd64/Packages
SHA256:
 ${SUM}  2584840 main/binary-amd64/Packages
 ${'c'.repeat(64)}   386328 main/binary-amd64/Packages.xz
`;

describe('deb822', () => {
  it('reads fields case-insensitively, continuation lines and paragraphs', () => {
    const ps = parseDeb822('Package: a\nDescription: one\n two\n .\n three\n\nPACKAGE: b\n');
    expect(ps.map((p) => p.get('package'))).toEqual(['a', 'b']);
    expect(ps[0]?.get('description')).toBe('one\ntwo\n\nthree');
  });

  it('refuses a line that is not a field', () => {
    expect(() => parseDeb822('Package: a\nnonsense\n')).toThrow(/line 2/);
    expect(() => parseDeb822(' leading continuation\n')).toThrow(/continuation/);
  });

  it('streams paragraphs across chunk boundaries', async () => {
    async function* chunks() {
      yield 'Package: a\nVer';
      yield 'sion: 1\n\nPackage: b\r\nVersion: 2';
    }
    const got = [];
    for await (const p of streamDeb822(chunks())) got.push([p.get('package'), p.get('version')]);
    expect(got).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });
});

describe('Release', () => {
  it('parses the fields apt uses and only trusts SHA256', () => {
    const r = parseRelease(RELEASE);
    expect(r.codename).toBe('bookworm-security');
    expect(r.acquireByHash).toBe(true);
    expect(r.validUntil?.toISOString()).toBe('2026-12-12T03:33:28.000Z');
    expect(r.architectures).toEqual(['amd64', 'arm64']);
    expect([...r.files.keys()]).toEqual([
      'main/binary-amd64/Packages',
      'main/binary-amd64/Packages.xz',
    ]);
    const xz = pickIndex(r, 'main/binary-amd64/Packages');
    expect(xz?.compression).toBe('xz');
    expect(xz && byHashPath(xz)).toBe(`main/binary-amd64/by-hash/SHA256/${'c'.repeat(64)}`);
  });

  it('refuses unsafe paths, missing sums and bad dates', () => {
    expect(() => parseRelease(`SHA256:\n ${SUM} 1 ../etc/passwd\n`)).toThrow(ReleaseError);
    expect(() => parseRelease('Origin: x\n')).toThrow(/no SHA256/);
    expect(() => parseRelease(`Date: someday\nSHA256:\n ${SUM} 1 a/Packages\n`)).toThrow(
      /not a date/,
    );
  });
});

describe('Packages entries', () => {
  const entry = (text: string) => {
    const p = parseDeb822(text)[0];
    if (!p) throw new Error('no paragraph');
    return binaryFromParagraph(p);
  };

  it('takes the source name and version from the Source field', () => {
    const b = entry(
      'Package: libssl3\nSource: openssl (3.0.15-1)\nVersion: 3.0.15-1+b1\nArchitecture: amd64\n',
    );
    expect([b.source, b.sourceVersion, b.version]).toEqual(['openssl', '3.0.15-1', '3.0.15-1+b1']);
    const own = entry('Package: tzdata\nVersion: 2024a-0\nArchitecture: all\n');
    expect([own.source, own.sourceVersion]).toEqual(['tzdata', '2024a-0']);
  });

  it('refuses entries without a valid name or version', () => {
    expect(() => entry('Package: Bad_Name\nVersion: 1\nArchitecture: all\n')).toThrow(
      IndexEntryError,
    );
    expect(() => entry('Package: ok\nVersion: 1 2\nArchitecture: all\n')).toThrow(/bad version/);
  });
});

describe('gpgv status', () => {
  const valid = (hash: string) =>
    `[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 1234 Archive\n[GNUPG:] VALIDSIG ${'F'.repeat(40)} 2026-12-06 1 0 4 0 22 ${hash} 01 ${'E'.repeat(40)}\n`;
  const reason = (status: string, stderr = '') => {
    try {
      judgeStatus(status, stderr);
      return 'accepted';
    } catch (err) {
      return err instanceof SignatureError ? err.reason : 'other';
    }
  };

  it('accepts VALIDSIG over SHA-256 and returns the primary key fingerprint', () => {
    expect(judgeStatus(valid('8'), '')).toBe('E'.repeat(40));
  });

  it('refuses weak digests, unknown keys, bad and expired signatures', () => {
    expect(reason(valid('2'))).toBe('weak-digest');
    expect(reason('[GNUPG:] ERRSIG 1234 22 8 01 1 9\n[GNUPG:] NO_PUBKEY 1234\n')).toBe(
      'no-public-key',
    );
    expect(reason('[GNUPG:] BADSIG 1234 Archive\n')).toBe('bad-signature');
    expect(reason('[GNUPG:] EXPKEYSIG 1234 Archive\n')).toBe('expired-key');
    expect(reason('', 'gpgv: no valid OpenPGP data found.')).toBe('not-signed');
  });
});
