import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dpkgSource, parseDpkgQuery, parseRpmQuery } from './packages.js';

const DPKG = [
  'ii \tadduser\t3.134\tall',
  'ii \tlibc6\t2.36-9+deb12u4\tamd64',
  'ii \tlibc6\t2.36-9+deb12u4\ti386',
  'rc \told-thing\t1.0-1\tamd64',
  'hi \theld-pkg\t2:1.2.3-4\tamd64',
  'iU \thalf-configured\t1.0\tamd64',
  '',
].join('\n');

describe('dpkg', () => {
  it('keeps installed packages only (ii, hi), across architectures', () => {
    const pkgs = parseDpkgQuery(DPKG);
    expect(pkgs.map((p) => `${p.name}:${p.arch}`)).toEqual([
      'adduser:all',
      'libc6:amd64',
      'libc6:i386',
      'held-pkg:amd64',
    ]);
    expect(pkgs.find((p) => p.name === 'held-pkg')?.version).toBe('2:1.2.3-4');
    expect(pkgs.every((p) => p.manager === 'dpkg')).toBe(true);
  });

  it.skipIf(!existsSync('/usr/bin/dpkg-query'))(
    'counts what dpkg-query counts as installed on this machine',
    async () => {
      const statuses = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}\n'], {
        encoding: 'utf8',
      });
      const installed = statuses.split('\n').filter((l) => l[1] === 'i').length;
      const ii = statuses.split('\n').filter((l) => l.startsWith('ii')).length;
      const pkgs = await dpkgSource.list();
      expect(pkgs.length).toBe(installed);
      // On a machine without held packages this is `dpkg-query ... | grep -c '^ii'`.
      expect(pkgs.length).toBeGreaterThanOrEqual(ii);
      expect(pkgs.length).toBeGreaterThan(10);
      expect(pkgs.some((p) => p.name === 'dpkg')).toBe(true);
    },
  );
});

describe('rpm', () => {
  it('parses name, epoch:version-release and arch, skipping gpg-pubkey', () => {
    const pkgs = parseRpmQuery(
      'bash\t5.1.8-6.el9\tx86_64\nopenssl\t1:3.0.7-24.el9\tx86_64\ngpg-pubkey\t8483c65d-5ccc5b19\t(none)\n',
    );
    expect(pkgs).toEqual([
      { name: 'bash', version: '5.1.8-6.el9', arch: 'x86_64', manager: 'rpm' },
      { name: 'openssl', version: '1:3.0.7-24.el9', arch: 'x86_64', manager: 'rpm' },
    ]);
  });
});
