import { describe, expect, it } from 'vitest';
import { armorKeyring, dearmorKeyring, startsWithPublicKey } from './keyring.js';

// An old-format public-key packet header (tag 6, one-byte length) and a few body bytes.
const KEY = new Uint8Array([0x99, 0x00, 0x04, 0x04, 0x65, 0x43, 0x21, 0x16, 0x09, 0x2b]);

describe('keyring armour', () => {
  it('round-trips a binary keyring with its CRC-24 checksum', () => {
    const text = armorKeyring(KEY);
    expect(text).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n/);
    expect(text).toMatch(/\n=[A-Za-z0-9+/]{4}\n-----END PGP PUBLIC KEY BLOCK-----\n$/);
    const back = dearmorKeyring(text);
    expect('bytes' in back && [...back.bytes]).toEqual([...KEY]);
  });

  it('accepts armour headers and CRLF, and a block without a checksum', () => {
    const text = armorKeyring(KEY)
      .replace('\n\n', '\nComment: exported\n\n')
      .replace(/\n=.{4}\n/, '\n')
      .replace(/\n/g, '\r\n');
    expect('bytes' in dearmorKeyring(text)).toBe(true);
  });

  it('refuses a wrong checksum, bad base64, a non-key packet and plain text', () => {
    const wrongSum = armorKeyring(KEY).replace(/\n=.{4}\n/, '\n=AAAA\n');
    expect(dearmorKeyring(wrongSum)).toEqual({ error: 'the key block checksum does not match' });
    const notBase64 =
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n-----END PGP PUBLIC KEY BLOCK-----';
    expect('error' in dearmorKeyring(notBase64)).toBe(true);
    const signature = armorKeyring(new Uint8Array([0x88, 0x01, 0x00]));
    expect(dearmorKeyring(signature)).toEqual({ error: 'the key block holds no public key' });
    expect('error' in dearmorKeyring('hello')).toBe(true);
    expect(startsWithPublicKey(new Uint8Array([0xc6, 0x01]))).toBe(true);
  });
});
