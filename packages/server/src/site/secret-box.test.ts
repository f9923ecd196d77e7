import { describe, expect, it } from 'vitest';
import { generateMasterKey } from './master-key.js';
import { SecretBox, SecretBoxError, isSealed, sealedKeyId } from './secret-box.js';

describe('SecretBox', () => {
  const key = generateMasterKey();
  const box = new SecretBox(key);

  it('seals into a versioned envelope naming the key, and opens it again', () => {
    const sealed = box.seal('-----BEGIN PRIVATE KEY-----\nabc\n');
    expect(sealed).toMatch(/^enc:v1:[0-9a-f]{16}:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(isSealed(sealed)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(key.id);
    expect(box.open(sealed)).toBe('-----BEGIN PRIVATE KEY-----\nabc\n');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses an altered envelope', () => {
    const parts = box.seal('secret').split(':');
    const body = Buffer.from(parts[5] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[5] = body.toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow(SecretBoxError);
  });

  it('refuses a value sealed with a key it does not have, and plaintext', () => {
    const other = new SecretBox(generateMasterKey());
    expect(() => box.open(other.seal('secret'))).toThrow(/sealed with master key [0-9a-f]{16}/);
    expect(() => box.open('-----BEGIN PRIVATE KEY-----')).toThrow(SecretBoxError);
  });

  it('opens what a previous key sealed while sealing with the current one (rotation)', () => {
    const next = generateMasterKey();
    const rotating = new SecretBox(next, [key]);
    const old = box.seal('secret');
    expect(rotating.open(old)).toBe('secret');
    expect(sealedKeyId(rotating.seal('secret'))).toBe(next.id);
  });
});
