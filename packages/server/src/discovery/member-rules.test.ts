import { describe, expect, it } from 'vitest';
import { parseRule } from './member-rules.js';

describe('discovered-member rules (ADR 0038)', () => {
  it('parses a subnet into an address-key range, host bits cleared', () => {
    expect(parseRule('subnet', '10.1.0.7/24')).toEqual({
      ok: true,
      match: { kind: 'subnet', firstKey: '0a010000', lastKey: '0a0100ff', text: '10.1.0.0/24' },
    });
    expect(parseRule('subnet', '10.1.0.9 - 10.1.0.20')).toMatchObject({
      ok: true,
      match: { firstKey: '0a010009', lastKey: '0a010014', text: '10.1.0.9-10.1.0.20' },
    });
    expect(parseRule('subnet', '10.0.0.0/33').ok).toBe(false);
    expect(parseRule('subnet', '10.0.0.1').ok).toBe(false);
  });

  it('turns host-name patterns into LIKE patterns where % and _ are literal', () => {
    expect(parseRule('host-name', 'Web-*.LAN')).toEqual({
      ok: true,
      match: { kind: 'host-name', like: 'web-%.lan', text: 'web-*.lan' },
    });
    expect(parseRule('host-name', 'db_?')).toMatchObject({ match: { like: 'db\\__' } });
    expect(parseRule('host-name', 'a b').ok).toBe(false);
    expect(parseRule('host-name', 'x%').ok).toBe(false);
  });

  it('matches guessed OS words case-insensitively, never an empty rule', () => {
    expect(parseRule('os', 'Ubuntu 22')).toMatchObject({
      ok: true,
      match: { kind: 'os', like: '%ubuntu 22%' },
    });
    expect(parseRule('os', '  ').ok).toBe(false);
  });
});
