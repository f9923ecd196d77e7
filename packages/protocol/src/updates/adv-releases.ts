/**
 * Distribution releases as the advisory feeds name them (issue 10, ADR 0048), declared once:
 * the Debian tracker, the DSA/DLA lists and the USN database name a release by its codename
 * (`bookworm`), OSV by ecosystem (`Debian:12`, `Ubuntu:22.04:LTS`), an update source by its apt
 * suite (`bookworm-security`), a device by its os-release name and version (`Debian`, `12`).
 * Everything is stored and matched by codename.
 */
export interface DistributionRelease {
  codename: string;
  distribution: 'debian' | 'ubuntu';
  version: string;
}

export const DISTRIBUTION_RELEASES: readonly DistributionRelease[] = [
  { codename: 'stretch', distribution: 'debian', version: '9' },
  { codename: 'buster', distribution: 'debian', version: '10' },
  { codename: 'bullseye', distribution: 'debian', version: '11' },
  { codename: 'bookworm', distribution: 'debian', version: '12' },
  { codename: 'trixie', distribution: 'debian', version: '13' },
  { codename: 'forky', distribution: 'debian', version: '14' },
  { codename: 'sid', distribution: 'debian', version: 'unstable' },
  { codename: 'xenial', distribution: 'ubuntu', version: '16.04' },
  { codename: 'bionic', distribution: 'ubuntu', version: '18.04' },
  { codename: 'focal', distribution: 'ubuntu', version: '20.04' },
  { codename: 'jammy', distribution: 'ubuntu', version: '22.04' },
  { codename: 'noble', distribution: 'ubuntu', version: '24.04' },
  { codename: 'oracular', distribution: 'ubuntu', version: '24.10' },
  { codename: 'plucky', distribution: 'ubuntu', version: '25.04' },
];

const byCodename = new Map(DISTRIBUTION_RELEASES.map((r) => [r.codename, r]));

/** A known release codename, or undefined. */
export function releaseByCodename(codename: string): DistributionRelease | undefined {
  return byCodename.get(codename.toLowerCase());
}

/**
 * The release an apt suite belongs to: `bookworm`, `bookworm-security`, `bookworm-updates`,
 * `bookworm-backports`, `bookworm/updates` (the old security suite), `jammy-security` ...
 */
export function releaseOfSuite(suite: string): string | undefined {
  const base = suite.toLowerCase().split(/[-/]/)[0] ?? '';
  return byCodename.get(base)?.codename;
}

/** The release of an OSV ecosystem (`Debian:12`, `Ubuntu:22.04:LTS`, `Ubuntu:Pro:18.04:LTS`). */
export function releaseOfOsvEcosystem(ecosystem: string): string | undefined {
  const parts = ecosystem.split(':');
  const dist = parts[0]?.toLowerCase();
  if (dist !== 'debian' && dist !== 'ubuntu') return undefined;
  const version = parts.slice(1).find((p) => /^\d+(\.\d+)?$/.test(p));
  return DISTRIBUTION_RELEASES.find((r) => r.distribution === dist && r.version === version)
    ?.codename;
}

/** The release of a device from its inventoried os name and version (`Debian GNU/Linux`, `12`). */
export function releaseOfOs(name: string | null, version: string | null): string | undefined {
  if (!name || !version) return undefined;
  const dist = /ubuntu/i.test(name) ? 'ubuntu' : /debian/i.test(name) ? 'debian' : undefined;
  if (!dist) return undefined;
  const v = /^(\d+(?:\.\d+)?)/.exec(version)?.[1];
  const codename = /\(([a-z]+)\)/i.exec(version)?.[1]?.toLowerCase();
  return DISTRIBUTION_RELEASES.find(
    (r) =>
      r.distribution === dist &&
      (r.codename === codename ||
        r.version === v ||
        (dist === 'debian' && v?.split('.')[0] === r.version)),
  )?.codename;
}

/**
 * The Debian release a stable or security build names in its version (`3.0.15-1~deb12u1`,
 * `7.88.1-10+deb12u8`): what places a package of a device whose os release is unknown.
 */
export function releaseOfVersion(version: string): string | undefined {
  const v = /[~+]deb(\d+)u\d+/.exec(version)?.[1];
  return v === undefined
    ? undefined
    : DISTRIBUTION_RELEASES.find((r) => r.distribution === 'debian' && r.version === v)?.codename;
}
