import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDpkgStatus, type ScanCatalogUpdate } from '@steward/protocol';
import {
  createDpkgSandbox,
  holdPackages,
  installPackages,
} from '../../../../../test-support/dpkg-sandbox.js';
import { parseAptPolicy, parseDpkgQuery, parsePreferences, scanInstalled } from './scan.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const catalog: ScanCatalogUpdate[] = [
  // Installed at exactly this version, and at a newer one on amd64.
  {
    id: 'u-libfoo',
    binaries: [
      ['libfoo1', 'amd64', '1.2-3+deb12u1'],
      ['foo-data', 'all', '1.2-3+deb12u1'],
    ],
  },
  // Installed older: required.
  { id: 'u-bar', binaries: [['bar', 'amd64', '2:1.0-1']] },
  // Installed older but held.
  { id: 'u-baz', binaries: [['baz', 'amd64', '1.0~rc2-1']] },
  // Not installed at all.
  { id: 'u-absent', binaries: [['absent', 'amd64', '9.9']] },
  // Installed but for another architecture: not this binary.
  { id: 'u-i386', binaries: [['bar', 'i386', '2:1.0-1']] },
];

describe('agent update scan on a real dpkg database', () => {
  it('reports installed, required, held and leaves out what is not installed', async () => {
    const box = createDpkgSandbox(dir, 'machine');
    installPackages(dir, box, [
      { name: 'libfoo1', version: '1.2-3+deb12u2' },
      { name: 'foo-data', version: '1.2-3+deb12u1', architecture: 'all' },
      { name: 'bar', version: '1:5.0-1' },
      { name: 'baz', version: '1.0~rc1-1' },
    ]);
    holdPackages(box, ['baz']);
    const results = await scanInstalled(catalog, {
      dpkgQuery: 'dpkg-query',
      admindir: box.admindir,
    });
    const byId = new Map(results.map((r) => [r.updateId, r]));
    expect(byId.get('u-libfoo')?.state).toBe('installed');
    expect(byId.get('u-libfoo')?.installedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(byId.get('u-bar')).toEqual({ updateId: 'u-bar', state: 'required' });
    expect(byId.get('u-baz')).toEqual({ updateId: 'u-baz', state: 'required', hold: 'held' });
    expect(byId.has('u-absent')).toBe(false);
    expect(byId.has('u-i386')).toBe(false);
  });

  it('fails when dpkg status cannot be read', async () => {
    await expect(
      scanInstalled(catalog, { dpkgQuery: 'dpkg-query', admindir: join(dir, 'nowhere') }),
    ).rejects.toThrow(/no installed package/);
  });

  it('reads through dpkg-query exactly what the status file holds (the server-side reader)', () => {
    const box = createDpkgSandbox(dir, 'agreement');
    installPackages(dir, box, [
      { name: 'qux', version: '2:0.9-1' },
      { name: 'quux', version: '1.0-1', architecture: 'all' },
    ]);
    holdPackages(box, ['quux']);
    const queried = parseDpkgQuery(
      execFileSync(
        'dpkg-query',
        [
          `--admindir=${box.admindir}`,
          '-W',
          '-f',
          '${Package}\t${Architecture}\t${Version}\t${Status}\t${db-fsys:Last-Modified}\n',
        ],
        { encoding: 'utf8' },
      ),
    );
    expect(queried.packages).toEqual(
      parseDpkgStatus(readFileSync(join(box.admindir, 'status'), 'utf8')),
    );
    expect(queried.installedAt.get('qux:amd64')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('reads apt-cache policy candidates', () => {
    const policy = parseAptPolicy(
      'bar:\n  Installed: 1:5.0-1\n  Candidate: 1:5.0-1\n  Version table:\nlibc6:i386:\n  Installed: (none)\n  Candidate: (none)\n',
    );
    expect([...policy]).toEqual([['bar', '1:5.0-1']]);
  });

  it('reads which packages apt preferences can pin; a pattern means any', () => {
    expect(
      parsePreferences(
        'Package: nodejs\nPin: origin mirror.example.org\nPin-Priority: 600\n\nPackage: bar:amd64 baz\nPin: version 1.*\nPin-Priority: 1001\n',
      ),
    ).toEqual(new Set(['nodejs', 'bar', 'baz']));
    expect(parsePreferences('Package: *\nPin: release a=stable\nPin-Priority: 500\n')).toBe('all');
    expect(parsePreferences('Package: /^lib/\nPin: version 1\nPin-Priority: 10\n')).toBe('all');
  });

  it('asks apt-cache only about required packages that apt preferences name', async () => {
    const box = createDpkgSandbox(dir, 'pins');
    installPackages(dir, box, [
      { name: 'bar', version: '1:5.0-1' },
      { name: 'baz', version: '1.0~rc1-1' },
    ]);
    const etc = join(dir, 'pins-etc');
    mkdirSync(join(etc, 'preferences.d'), { recursive: true });
    // apt-cache stand-in: records what it was asked, and says every candidate is old (pinned).
    const asked = join(dir, 'pins-asked');
    const aptCache = join(dir, 'pins-apt-cache');
    writeFileSync(
      aptCache,
      `#!/bin/sh\nfor a in "$@"; do echo "$a" >> ${asked}; done\nfor p in bar baz; do printf '%s:\\n  Candidate: 0.1\\n' $p; done\n`,
      { mode: 0o755 },
    );
    const env = {
      dpkgQuery: 'dpkg-query',
      admindir: box.admindir,
      aptCache,
      aptConfig: 'apt-config',
      aptOptions: [
        '-o',
        `Dir::Etc::preferences=${join(etc, 'preferences')}`,
        '-o',
        `Dir::Etc::preferencesparts=${join(etc, 'preferences.d')}`,
        '-o',
        'APT::Default-Release=',
      ],
    };
    // No preferences: nothing can pin, apt-cache is not run, bar and baz are plainly required.
    const none = await scanInstalled(catalog, env);
    expect(existsSync(asked)).toBe(false);
    expect(none.filter((r) => r.state === 'required')).toEqual([
      { updateId: 'u-bar', state: 'required' },
      { updateId: 'u-baz', state: 'required' },
    ]);
    // A stanza naming bar: apt-cache is asked about bar only, and bar shows as pinned.
    writeFileSync(
      join(etc, 'preferences.d', 'bar'),
      'Package: bar\nPin: version 1:5.0*\nPin-Priority: 1001\n',
    );
    const pinned = await scanInstalled(catalog, env);
    expect(readFileSync(asked, 'utf8')).toContain('bar:amd64');
    expect(readFileSync(asked, 'utf8')).not.toContain('baz');
    expect(pinned.filter((r) => r.state === 'required')).toEqual([
      { updateId: 'u-bar', state: 'required', hold: 'pinned' },
      { updateId: 'u-baz', state: 'required' },
    ]);
  });
});
