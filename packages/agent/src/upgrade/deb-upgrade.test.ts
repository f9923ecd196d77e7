import { describe, expect, it } from 'vitest';
import type { ClientVersionPackage, ClientVersionTarget } from '@steward/protocol';
import { debVersionOf, pickDebs, serviceOf } from './deb-upgrade.js';

const pkg = (name: string, kind: ClientVersionPackage['kind']): ClientVersionPackage => ({
  name,
  kind,
  arch: 'all',
  sha256: 'a'.repeat(64),
  size: 1,
  path: `/install/packages/${name}`,
});

const target = (packages: ClientVersionPackage[]): ClientVersionTarget => ({
  rollout: 'production',
  version: '2.0.0-rc1',
  packages,
  upgradeWindowHours: 24,
  reportInSeconds: 120,
});

describe('.deb self-upgrade (ADR 0036)', () => {
  it('reads the upstream version from the name build-deb.sh gives a .deb', () => {
    expect(debVersionOf('steward-agent_2.0.0-rc1-1_all.deb')).toBe('2.0.0-rc1');
    expect(debVersionOf('steward-agent_1.4.0-3_all.deb')).toBe('1.4.0');
    expect(debVersionOf('steward-agent-1.4.0-linux.tar.gz')).toBeUndefined();
    expect(debVersionOf('other_1.4.0-1_all.deb')).toBeUndefined();
  });

  it('picks the new version and the running version, told apart exactly', () => {
    const t = target([
      pkg('steward-agent-2.0.0-rc1-linux.tar.gz', 'tarball'),
      pkg('steward-agent_2.0.0-rc1-1_all.deb', 'deb'),
      // Upstream 2.0.0 is not 2.0.0-rc1, and 1.9.0-x is not 1.9.0.
      pkg('steward-agent_1.9.0-x-1_all.deb', 'deb'),
      pkg('steward-agent_1.9.0-2_all.deb', 'deb'),
    ]);
    expect(pickDebs(t, '1.9.0')).toEqual({
      next: expect.objectContaining({ name: 'steward-agent_2.0.0-rc1-1_all.deb' }),
      previous: expect.objectContaining({ name: 'steward-agent_1.9.0-2_all.deb' }),
    });
  });

  it('refuses without a .deb of the target, or of the running version to roll back to', () => {
    const noNew = target([pkg('steward-agent-2.0.0-rc1-linux.tar.gz', 'tarball')]);
    expect(pickDebs(noNew, '1.9.0')).toMatchObject({ code: 'AGENT_UPGRADE_NO_PACKAGE' });
    const noOld = target([pkg('steward-agent_2.0.0-rc1-1_all.deb', 'deb')]);
    expect(pickDebs(noOld, '1.9.0')).toMatchObject({
      code: 'AGENT_UPGRADE_NO_ROLLBACK',
      reason: expect.stringContaining('1.9.0'),
    });
  });

  it('works with systemd only when the agent runs as a systemd unit', () => {
    expect(serviceOf({ INVOCATION_ID: 'abc' })).toBe('systemd');
    expect(serviceOf({ INVOCATION_ID: '' })).toBe('none');
    expect(serviceOf({})).toBe('none');
  });
});
