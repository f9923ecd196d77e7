import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confinedPath, negotiate, parseReadRequest } from './tftp.js';

function rrq(...fields: string[]): Buffer {
  return Buffer.concat([
    Buffer.from([0, 1]),
    Buffer.from(fields.map((f) => `${f}\0`).join(''), 'latin1'),
  ]);
}

describe('TFTP requests', () => {
  it('parses a read request with RFC 2347 options (names case-insensitive)', () => {
    // As iPXE and EDK2 send it: file, mode, then blksize and tsize.
    expect(
      parseReadRequest(rrq('undionly.kpxe', 'octet', 'BLKSIZE', '1432', 'tsize', '0')),
    ).toEqual({
      file: 'undionly.kpxe',
      mode: 'octet',
      options: new Map([
        ['blksize', '1432'],
        ['tsize', '0'],
      ]),
    });
  });

  it('refuses writes and malformed requests', () => {
    expect(
      parseReadRequest(Buffer.concat([Buffer.from([0, 2]), Buffer.from('x\0octet\0')])),
    ).toMatch(/write requests are refused/);
    expect(parseReadRequest(Buffer.from([0, 1, 65]))).toMatch(/too short/);
    expect(parseReadRequest(Buffer.from([0, 1, 65, 0, 66]))).toMatch(/NUL-terminated/);
    expect(parseReadRequest(rrq('a', 'mail'))).toMatch(/mode mail/);
    expect(parseReadRequest(rrq('a', 'octet', 'blksize'))).toMatch(/no value/);
    expect(parseReadRequest(Buffer.from([0, 9, 0, 0]))).toMatch(/opcode 9/);
  });

  it('negotiates blksize (capped to an Ethernet frame), tsize and timeout; ignores the rest', () => {
    const opts = new Map([
      ['blksize', '8192'],
      ['tsize', '0'],
      ['timeout', '3'],
      ['windowsize', '8'],
    ]);
    const n = negotiate(opts, 70_000);
    expect(n.blksize).toBe(1468);
    expect(n.timeoutS).toBe(3);
    expect([...n.oack]).toEqual([
      ['blksize', '1468'],
      ['tsize', '70000'],
      ['timeout', '3'],
    ]);
    expect(negotiate(new Map([['blksize', '1024']]), 1).blksize).toBe(1024);
    // Out of RFC 2348's range, or not a number: not acknowledged, 512 stays.
    for (const bad of ['7', '65465', 'x', '1e3']) {
      const r = negotiate(new Map([['blksize', bad]]), 1);
      expect(r.blksize).toBe(512);
      expect(r.oack.size).toBe(0);
    }
  });
});

describe('TFTP root confinement', () => {
  const root = mkdtempSync(join(tmpdir(), 'tftp-root-'));
  mkdirSync(join(root, 'efi'));
  writeFileSync(join(root, 'efi', 'ipxe.efi'), 'x');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('maps names inside the root, a leading slash allowed', () => {
    expect(confinedPath(root, 'undionly.kpxe')).toBe(join(root, 'undionly.kpxe'));
    expect(confinedPath(root, '/efi/ipxe.efi')).toBe(join(root, 'efi', 'ipxe.efi'));
  });

  it('refuses traversal, backslashes, NUL and empty segments', () => {
    for (const bad of [
      '../etc/passwd',
      '/../../etc/shadow',
      'efi/../../x',
      'efi/..',
      '..',
      '..\\..\\etc\\passwd',
      'efi\\ipxe.efi',
      'a\0b',
      '',
      '/',
      'efi//ipxe.efi',
    ])
      expect(confinedPath(root, bad), bad).toBeUndefined();
  });
});
