import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { UpdateSourceInput } from './schemas.js';

const base = {
  name: 'Debian 12 security',
  url: 'http://127.0.0.1:9/debian-security',
  suite: 'bookworm-security',
  components: ['main'],
  architectures: ['amd64'],
  keyring: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n-----END PGP PUBLIC KEY BLOCK-----',
};

describe('update source input', () => {
  it('accepts suites and components as archives name them', () => {
    expect(Value.Check(UpdateSourceInput, base)).toBe(true);
    expect(Value.Check(UpdateSourceInput, { ...base, components: ['updates/main'] })).toBe(true);
  });

  it('refuses path tricks in the suite and components, and non-http URLs', () => {
    expect(Value.Check(UpdateSourceInput, { ...base, suite: 'bookworm/../../etc' })).toBe(false);
    expect(Value.Check(UpdateSourceInput, { ...base, components: ['main//x'] })).toBe(false);
    expect(Value.Check(UpdateSourceInput, { ...base, url: 'file:///etc' })).toBe(false);
    expect(Value.Check(UpdateSourceInput, { ...base, syncIntervalHours: 0 })).toBe(false);
  });
});
