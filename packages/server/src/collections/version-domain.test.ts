import { describe, expect, it } from 'vitest';
import { versionsIn, versionsMatching } from './version-domain.js';

describe('version value sets', () => {
  const domain = ['1:0.9', '1.0-1', '1.0', '1.0~rc1', '1.00', '2'];
  it('selects values in dpkg order', () => {
    expect(versionsMatching(domain, '>', '1.0').sort()).toEqual(['1.0-1', '1:0.9', '2']);
    expect(versionsMatching(domain, '<', '1.0')).toEqual(['1.0~rc1']);
    expect(versionsMatching(domain, '=', '1.0').sort()).toEqual(['1.0', '1.00']);
  });
  it('treats equal versions as equal in lists', () => {
    expect(versionsIn(domain, ['1.000'], false).sort()).toEqual(['1.0', '1.00']);
    expect(versionsIn(domain, ['1.0', '2'], true).sort()).toEqual(['1.0-1', '1.0~rc1', '1:0.9']);
  });
});
