import { mkdtempSync, readFileSync } from 'node:fs';
import { machine, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPlatformRequirements,
  parseOsRelease,
  unmetRequirements,
  type PlatformFacts,
} from './requirements.js';

const ubuntu: PlatformFacts = {
  osId: 'ubuntu',
  osIdLike: ['debian'],
  osVersion: '22.04',
  architecture: 'x86_64',
  freeDiskMb: 2000,
  memoryMb: 4096,
};

describe('platform requirements', () => {
  it('parses os-release with quoted and unquoted values', () => {
    const os = parseOsRelease(
      'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n# comment\nPRETTY_NAME=\'Ubuntu 22.04 \\"LTS\\"\'\n',
    );
    expect(os).toMatchObject({ ID: 'ubuntu', ID_LIKE: 'debian', VERSION_ID: '22.04' });
    expect(os['PRETTY_NAME']).toBe('Ubuntu 22.04 "LTS"');
  });

  it('accepts a family through ID_LIKE, dpkg-ordered versions and architecture aliases', () => {
    expect(
      unmetRequirements(
        {
          osFamilies: ['debian'],
          minOsVersion: '20.04',
          architectures: ['amd64'],
          minFreeDiskMb: 2000,
          minMemoryMb: 4096,
        },
        ubuntu,
      ),
    ).toEqual([]);
    // 22.04 < 22.10 as dpkg compares them (not as decimal numbers).
    expect(unmetRequirements({ minOsVersion: '22.10' }, ubuntu)).toEqual([
      'requires OS version 22.10 or later; this device has 22.04',
    ]);
  });

  it('says which requirement failed and what the machine has', () => {
    const unmet = unmetRequirements(
      {
        osFamilies: ['rhel', 'fedora'],
        architectures: ['aarch64'],
        minFreeDiskMb: 5000,
        minMemoryMb: 8192,
      },
      ubuntu,
    );
    expect(unmet).toEqual([
      'requires OS family rhel or fedora; this device runs ubuntu (like debian)',
      'requires architecture aarch64; this device is x86_64',
      'requires 5000 MB of free disk; this device has 2000 MB free',
      'requires 8192 MB of memory; this device has 4096 MB',
    ]);
    expect(unmetRequirements({ minOsVersion: '1' }, { ...ubuntu, osVersion: undefined })).toEqual([
      'requires OS version 1 or later; this device reports no VERSION_ID',
    ]);
  });

  it('checks this machine for real', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'steward-req-'));
    const id = parseOsRelease(readFileSync('/etc/os-release', 'utf8'))['ID'] ?? 'linux';
    expect(
      await checkPlatformRequirements(
        {
          osFamilies: [id],
          minOsVersion: '0',
          architectures: [machine()],
          minFreeDiskMb: 1,
          minMemoryMb: 1,
        },
        stateDir,
      ),
    ).toEqual({ ok: true });
    const fail = await checkPlatformRequirements(
      { architectures: ['no-such-arch'], minMemoryMb: 100_000_000 },
      stateDir,
    );
    expect(fail.ok).toBe(false);
    if (!fail.ok) {
      expect(fail.reason).toContain(`this device is ${machine()}`);
      expect(fail.reason).toMatch(/requires 100000000 MB of memory; this device has \d+ MB/);
    }
  });
});
