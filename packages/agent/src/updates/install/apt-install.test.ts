import { describe, expect, it } from 'vitest';
import { classifyAptFailure, parseSimulation } from './apt-install.js';

describe('apt output', () => {
  it('names the failure reasons enforcement states report', () => {
    expect(
      classifyAptFailure(
        "W: GPG error: file:/x ./ InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 0123",
      ),
    ).toBe('bad-signature');
    expect(
      classifyAptFailure(
        'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (apt-get)',
      ),
    ).toBe('dpkg-lock-held');
    expect(
      classifyAptFailure("E: You don't have enough free space in /var/cache/apt/archives/."),
    ).toBe('low-disk-space');
    expect(
      classifyAptFailure(
        'The following packages have unmet dependencies:\n hello : Depends: libfoo (>= 2) but it is not installable\nE: Unable to correct problems, you have held broken packages.',
      ),
    ).toBe('missing-prerequisites');
    // Not root: apt cannot even open its lock file.
    expect(classifyAptFailure('E: Could not open lock file - open (13: Permission denied)')).toBe(
      'access-denied',
    );
    expect(classifyAptFailure("E: Version '2.0-1' for 'hello' was not found")).toBe(
      'not-available',
    );
    expect(classifyAptFailure('E: Sub-process /usr/bin/dpkg returned an error code (1)')).toBe(
      'failed',
    );
  });

  it("reads apt-get -s's plan", () => {
    const out = [
      'Reading package lists...',
      'Inst hello-upd [1.0-1] (2.0-1 Steward approved updates [all])',
      'Inst libfoo:amd64 (3.1 Steward approved updates [amd64])',
      'Remv oldthing [0.9]',
      'Conf hello-upd (2.0-1 Steward approved updates [all])',
    ].join('\n');
    expect(parseSimulation(out)).toEqual({
      install: [
        { name: 'hello-upd', version: '2.0-1' },
        { name: 'libfoo', version: '3.1' },
      ],
      remove: ['oldthing'],
    });
  });
});
