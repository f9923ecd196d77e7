import { describe, expect, it } from 'vitest';
import { dpkgAgrees } from '../../../../test-support/dpkg-compare.js';
import { compareDebianVersions, debianVersionKey } from './version.js';

const VERSIONS = [
  '1.0',
  '1.0~rc1',
  '1.0~~',
  '1.0-1',
  '1.0-1ubuntu1',
  '1.00',
  '1.0a',
  '1.0+b1',
  '1.0.1',
  '1:0.9',
  '2:1.0',
  '0:1.0',
  '1.10',
  '1.9',
  '1.2.3-4+deb12u1',
  '1.2.3-4',
  '1.2.3-4~bpo11+1',
  '2.36-9+deb12u4',
  '2.36-9+deb12u10',
  '10.0',
  '9.99',
  '1.0-0',
  '1.0~beta',
  '1.0~alpha',
  '3.0.11-1~deb12u2',
  '252.30-1~deb12u2',
  '1.1.1w-0+deb12u1',
];

const sign = (n: number) => (n < 0 ? 'lt' : n > 0 ? 'gt' : 'eq');

describe('Debian version ordering', () => {
  it('agrees with dpkg --compare-versions on every pair', () => {
    expect(VERSIONS.every((v) => !v.includes("'"))).toBe(true);
    const checks = VERSIONS.flatMap((a) =>
      VERSIONS.map((b) => [a, sign(compareDebianVersions(a, b)), b] as const),
    );
    const verdicts = dpkgAgrees(checks);
    expect(verdicts).toHaveLength(checks.length);
    const disagreements = checks.filter((_, i) => !verdicts[i]).map((c) => c.join(' '));
    expect(disagreements).toEqual([]);
    // Hundreds of dpkg runs: a minute of margin on a loaded 2-core machine (not a timing check).
  }, 60_000);

  it('gives sort keys whose byte order is dpkg order', () => {
    for (const a of VERSIONS) {
      for (const b of VERSIONS) {
        const ka = debianVersionKey(a);
        const kb = debianVersionKey(b);
        const byKey = ka < kb ? -1 : ka > kb ? 1 : 0;
        expect(sign(byKey), `${a} vs ${b}`).toBe(sign(compareDebianVersions(a, b)));
        expect(Buffer.compare(Buffer.from(ka), Buffer.from(kb)), `${a} vs ${b} (UTF-8 bytes)`).toBe(
          byKey,
        );
      }
    }
  });
});
