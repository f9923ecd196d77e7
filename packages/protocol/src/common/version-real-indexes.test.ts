import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dpkgAgrees } from '../../../../test-support/dpkg-compare.js';
import { compareDebianVersions, debianVersionKey } from './version.js';

/**
 * Version ordering checked against `dpkg --compare-versions` on versions taken from REAL package
 * indexes: this machine's dpkg status file and apt's downloaded Packages lists (decompressed by
 * apt's own helper, whatever their compression), plus adversarial variations of those versions
 * (epochs, tildes, plus and minus, letters against digits, leading zeros).
 */

const LISTS = '/var/lib/apt/lists';

function stanzaVersions(text: string, into: Map<string, Set<string>>): void {
  let pkg = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('Package: ')) pkg = line.slice(9).trim();
    else if (line.startsWith('Version: ') && pkg) {
      const version = line.slice(9).trim();
      if (!version.includes("'")) {
        const set = into.get(pkg) ?? new Set<string>();
        set.add(version);
        into.set(pkg, set);
      }
    }
  }
}

function realVersions(): Map<string, Set<string>> {
  const byPackage = new Map<string, Set<string>>();
  stanzaVersions(readFileSync('/var/lib/dpkg/status', 'utf8'), byPackage);
  if (existsSync(LISTS)) {
    for (const name of readdirSync(LISTS).filter((n) => /_Packages(\.[a-z0-9]+)?$/.test(n))) {
      const text = execFileSync('/usr/lib/apt/apt-helper', ['cat-file', join(LISTS, name)], {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
      });
      stanzaVersions(text, byPackage);
    }
  }
  return byPackage;
}

/** A small deterministic generator, so a failure names the same pairs on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function adversarial(v: string): string[] {
  const noEpoch = v.replace(/^\d+:/, '');
  return [
    `1:${noEpoch}`,
    `${v}~`,
    `${v}~~`,
    `${v}~rc1`,
    `${v}+b1`,
    `${v}-0`,
    `${v}.0`,
    `${v}a`,
    `${v}0`,
    noEpoch.replace(/\d+/, (d) => `0${d}`),
    noEpoch.replace(/-([^-]*)$/, '+$1'),
    noEpoch.replace(/[a-z]/, '9'),
  ];
}

describe('Debian version ordering against dpkg on real package indexes', () => {
  it('agrees with dpkg --compare-versions on thousands of real and adversarial pairs', () => {
    const byPackage = realVersions();
    const all = [...new Set([...byPackage.values()].flatMap((s) => [...s]))];
    const rand = prng(20261206);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const pairs: [string, string][] = [];
    // Versions of the same package (a security update against the release, say).
    for (const versions of byPackage.values()) {
      const vs = [...versions];
      for (let i = 1; i < vs.length && pairs.length < 1000; i++) pairs.push([vs[i - 1]!, vs[i]!]);
    }
    // Versions of different packages.
    while (pairs.length < 1600) pairs.push([pick(all), pick(all)]);
    // Adversarial variations of real versions, against the version they came from and each other.
    for (let n = 0; n < 70; n++) {
      const v = pick(all);
      const variants = adversarial(v).filter((x) => !x.includes("'"));
      for (const x of variants) pairs.push([v, x]);
      pairs.push([pick(variants), pick(variants)]);
    }
    expect(all.length).toBeGreaterThan(100);
    expect(pairs.length).toBeGreaterThan(2000);

    const sign = (n: number) => (n < 0 ? 'lt' : n > 0 ? 'gt' : 'eq');
    const checks = pairs.map(([a, b]) => [a, sign(compareDebianVersions(a, b)), b] as const);
    const verdicts = dpkgAgrees(checks);
    expect(verdicts).toHaveLength(checks.length);
    const disagreements = checks.filter((_, i) => !verdicts[i]).map((c) => c.join(' '));
    expect(disagreements).toEqual([]);

    // The SQL sort key orders the same pairs the same way (byte order).
    const keyDisagreements = pairs.filter(([a, b]) => {
      const ka = Buffer.from(debianVersionKey(a));
      const kb = Buffer.from(debianVersionKey(b));
      return sign(Buffer.compare(ka, kb)) !== sign(compareDebianVersions(a, b));
    });
    expect(keyDisagreements).toEqual([]);
    // Thousands of dpkg runs in one shell: generous margin on a loaded 2-core machine.
  }, 180_000);
});
