import { describe, expect, it } from 'vitest';
import { newMediaKey, sealMediaKey, unsealMediaKey } from './media-key.js';

describe('capture media keys', () => {
  it('are sealed with the media password and open with it only', async () => {
    const key = newMediaKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newMediaKey()).not.toBe(key);
    const sealed = await sealMediaKey(key, 'correct horse battery');
    expect(JSON.stringify(sealed)).not.toContain(key);
    expect(await unsealMediaKey(sealed, 'correct horse battery')).toBe(key);
    expect(await unsealMediaKey(sealed, 'correct horse batterY')).toBeUndefined();
    const tampered = { ...sealed, data: Buffer.from('x'.repeat(43)).toString('base64') };
    expect(await unsealMediaKey(tampered, 'correct horse battery')).toBeUndefined();
  });
});
