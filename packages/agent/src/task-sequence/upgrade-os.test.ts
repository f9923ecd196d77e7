import { describe, expect, it } from 'vitest';
import { type UpgradeReport, UPGRADE_REPORT_NAMES } from '@steward/protocol';
import { parseOsRelease } from './upgrade-checks.js';
import { parseUpgradePlan, removalAllowed, reportText } from './upgrade-os.js';

describe('upgrade-os helpers', () => {
  it("reads apt-get -s full-upgrade's plan: upgraded, new and removed", () => {
    const out = [
      'Reading package lists...',
      'Inst base-files [12.4] (13.8 Steward Tests:trixie [amd64])',
      'Inst libc6:amd64 [2.36-9] (2.41-12 Debian:13 [amd64]) []',
      'Inst newlib (1.0-1 Steward Tests:trixie [amd64])',
      'Remv legacy-tool [1.0-1]',
      'Conf base-files (13.8 Steward Tests:trixie [amd64])',
    ].join('\n');
    expect(parseUpgradePlan(out)).toEqual({
      upgraded: ['base-files', 'libc6'],
      added: ['newlib'],
      removed: ['legacy-tool'],
    });
  });

  it('allows removals by exact name or glob, nothing else', () => {
    expect(removalAllowed('libfoo2', ['libfoo*'])).toBe(true);
    expect(removalAllowed('libfoo2', ['libfoo'])).toBe(false);
    expect(removalAllowed('g++-12', ['g++-*'])).toBe(true);
    expect(removalAllowed('gxx-12', ['g++-*'])).toBe(false);
    expect(removalAllowed('anything', [])).toBe(false);
  });

  it('fits the report in one insertion string, shortening its lists', () => {
    const names = Array.from(
      { length: UPGRADE_REPORT_NAMES },
      (_, i) => `package-${'x'.repeat(80)}-${String(i)}`,
    );
    const report: UpgradeReport = {
      upgradePackageId: 'up',
      fromRelease: 'bookworm (12)',
      targetRelease: 'trixie (13)',
      outcome: 'refused',
      preChecks: [{ check: 'free-space', ok: true, detail: 'plenty' }],
      plan: { upgraded: 900, new: 80, removed: 40, removedNames: names, disallowedRemovals: names },
      reason: 'the plan removes packages not allowed',
      installSeconds: null,
      downtimeExceeded: false,
      sourcesRestored: true,
    };
    const text = reportText(report);
    expect(text.length).toBeLessThanOrEqual(2000);
    const back = JSON.parse(text) as UpgradeReport;
    expect(back.plan?.removed).toBe(40);
    expect(back.plan?.removedNames.length).toBeLessThan(names.length);
    expect(back.outcome).toBe('refused');
  });

  it('reads os-release fields, quoted or not', () => {
    expect(
      parseOsRelease('VERSION_ID="13"\nVERSION_CODENAME=trixie\n# note\nNAME=\'Debian\''),
    ).toEqual({
      VERSION_ID: '13',
      VERSION_CODENAME: 'trixie',
      NAME: 'Debian',
    });
  });
});
