import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { osCollector, osFamily, parseOsRelease } from './os.js';

const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

const UBUNTU = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
`;

const ROCKY = `NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
# a comment line
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
`;

const ALPINE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
`;

const LEAP = `NAME="openSUSE Leap"
VERSION="15.5"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.5"
`;

describe('parseOsRelease', () => {
  it('reads quoted and unquoted values and skips comments', () => {
    const d = parseOsRelease(DEBIAN);
    expect(d['NAME']).toBe('Debian GNU/Linux');
    expect(d['VERSION_ID']).toBe('12');
    expect(d['VERSION_CODENAME']).toBe('bookworm');
    expect(parseOsRelease(ROCKY)['PRETTY_NAME']).toBe('Rocky Linux 9.3 (Blue Onyx)');
    expect(parseOsRelease('NAME="Say \\"hi\\""\n')['NAME']).toBe('Say "hi"');
  });

  it.each([
    [DEBIAN, 'debian'],
    [UBUNTU, 'debian'],
    [ROCKY, 'rhel'],
    [ALPINE, 'alpine'],
    [LEAP, 'suse'],
    ['ID=arch\n', 'arch'],
    ['ID=gentoo\n', 'other'],
  ])('maps ID/ID_LIKE to a family', (text, family) => {
    const rel = parseOsRelease(text);
    expect(osFamily(rel['ID'], rel['ID_LIKE'])).toBe(family);
  });
});

describe('os collector on this machine', () => {
  it('reports what /etc/os-release and the kernel say', async () => {
    const [os] = await osCollector.collect({
      startedAt: new Date(),
      softwareScanPaths: [],
      maxSoftwareFiles: 1,
    });
    const rel = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
    expect(os?.['version']).toBe(rel['VERSION_ID'] ?? null);
    expect(os?.['kernel']).toBe(release());
    expect(os?.['family']).toBe(osFamily(rel['ID'], rel['ID_LIKE']));
    expect(typeof os?.['hostname']).toBe('string');
  });
});
