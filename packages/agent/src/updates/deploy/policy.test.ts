import { describe, expect, it } from 'vitest';
import {
  settingsDefaults,
  UpdateDeploymentOptions,
  type AgentDeployment,
  type AgentUpdateInstall,
  type WindowSpec,
} from '@steward/protocol';
import {
  deadlineDelayMinutes,
  decideRestart,
  packagesToInstall,
  roleFromSystem,
  updateWindows,
  withDeadlineDelay,
} from './policy.js';

const window = (
  appliesTo: WindowSpec['appliesTo'],
  enabled = true,
  start = '2031-01-01T02:00',
): WindowSpec => ({
  start,
  durationMinutes: 60,
  recurrence: { kind: 'daily', everyDays: 1 },
  timeBase: 'utc',
  appliesTo,
  enabled,
});

describe('update windows', () => {
  it('update-only windows take precedence over windows for all deployments', () => {
    const all = window('all', true, '2031-01-01T01:00');
    const upd = window('software-updates', true, '2031-01-01T03:00');
    expect(updateWindows([all, upd])).toEqual([{ ...upd, appliesTo: 'all' }]);
  });
  it('without an enabled update-only window, the windows for all deployments apply', () => {
    const all = window('all');
    expect(updateWindows([all, window('software-updates', false)])).toEqual([all]);
    expect(updateWindows([])).toEqual([]);
  });
});

describe('deadline random delay', () => {
  it('stays within the maximum, is stable per device, and spreads devices', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const m = deadlineDelayMinutes(`device-${i}`, 'ud-1', 120);
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThanOrEqual(120);
      expect(deadlineDelayMinutes(`device-${i}`, 'ud-1', 120)).toBe(m);
      seen.add(m);
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(deadlineDelayMinutes('device-1', 'ud-1', 0)).toBe(0);
  });

  const install = (delay: number): AgentUpdateInstall => ({
    ...settingsDefaults(UpdateDeploymentOptions),
    updateDeploymentId: 'ud-1',
    repoKey: 'k',
    updates: [],
    deadlineRandomDelayMinutes: delay,
  });
  const dep = (delay: number | undefined): AgentDeployment => ({
    id: 'dep-1',
    name: 'd',
    purpose: 'required',
    programId: 'p',
    triggers: [{ type: 'at', start: '2031-01-01T10:00' }, { type: 'asap' }],
    availableAt: null,
    expiresAt: null,
    extraAssignments: [],
    timeBase: 'utc',
    revision: 1,
    rerun: 'always',
    contentMode: 'download',
    preDownload: true,
    runOverSlowBoundary: false,
    allowFallback: true,
    overrideMaintenanceWindows: false,
    maxPostponeMinutes: 0,
    targetedAt: '2031-01-01T00:00:00.000Z',
    ...(delay === undefined ? {} : { updateInstall: install(delay) }),
  });

  it("moves only an update deployment's deadline, by this device's delay", () => {
    const minutes = deadlineDelayMinutes('device-7', 'ud-1', 120);
    const moved = withDeadlineDelay(dep(120), 'device-7');
    const expected = new Date(Date.parse('2031-01-01T10:00Z') + minutes * 60_000)
      .toISOString()
      .slice(0, 19);
    expect(moved.triggers).toEqual([{ type: 'at', start: expected }, { type: 'asap' }]);
    expect(withDeadlineDelay(dep(0), 'device-7')).toEqual(dep(0));
    expect(withDeadlineDelay(dep(undefined), 'device-7')).toEqual(dep(undefined));
  });
});

describe('what to install', () => {
  it('only the deployed binaries this machine has', () => {
    const installed = new Map([
      ['libssl3', '3.0.1-1'],
      ['openssl', '3.0.1-1'],
    ]);
    expect(
      packagesToInstall(
        [
          {
            updateId: 'u1',
            binaries: [
              { name: 'openssl', version: '3.0.2-1' },
              { name: 'libssl3', version: '3.0.2-1' },
              { name: 'libssl-doc', version: '3.0.2-1' },
            ],
          },
          { updateId: 'u2', binaries: [{ name: 'nginx', version: '1.2' }] },
        ],
        installed,
      ),
    ).toEqual([
      { name: 'libssl3', version: '3.0.2-1' },
      { name: 'openssl', version: '3.0.2-1' },
    ]);
  });
});

describe('restart decisions', () => {
  const options = {
    suppressRestartServers: true,
    suppressRestartWorkstations: false,
    allowRestartOutsideWindows: false,
  };
  it('decides once per install, by role, suppression and windows', () => {
    const d = (o: Partial<Parameters<typeof decideRestart>[0]>) =>
      decideRestart({ required: true, role: 'workstation', options, inWindow: true, ...o });
    expect(d({ required: false })).toBe('none');
    expect(d({ role: 'server' })).toBe('suppressed-server');
    expect(d({ options: { ...options, suppressRestartWorkstations: true } })).toBe(
      'suppressed-workstation',
    );
    expect(d({})).toBe('restart');
    expect(d({ inWindow: false })).toBe('wait-window');
    expect(d({ inWindow: false, options: { ...options, allowRestartOutsideWindows: true } })).toBe(
      'restart',
    );
  });
  it('a graphical login makes a workstation', () => {
    expect(roleFromSystem({ displayManager: true, graphicalTarget: false })).toBe('workstation');
    expect(roleFromSystem({ displayManager: false, graphicalTarget: true })).toBe('workstation');
    expect(roleFromSystem({ displayManager: false, graphicalTarget: false })).toBe('server');
  });
});
