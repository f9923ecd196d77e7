import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  ClientSettingsOptions,
  DeploymentOptions,
  MAX_POSTPONE_MINUTES,
  settingEntries,
} from '@steward/protocol';
import { addSettingFlags, readSettingFlags } from './setting-flags.js';

function parse(args: string[]) {
  const cmd = addSettingFlags(new Command('x').exitOverride(), DeploymentOptions);
  cmd.parse(args, { from: 'user' });
  return { cmd, given: readSettingFlags(cmd, DeploymentOptions) };
}

describe('flags generated from a settings declaration', () => {
  it('offers every declared option that has a flag, on/off options in both forms', () => {
    const cmd = addSettingFlags(new Command('x'), DeploymentOptions);
    const flags = cmd.options.map((o) => o.long);
    for (const { field } of settingEntries(DeploymentOptions)) {
      if (field.flag === null) continue;
      expect(flags).toContain(`--${field.flag.name}`);
      if (field.flag.kind === 'switch') expect(flags).toContain(`--no-${field.flag.name}`);
    }
    const help = cmd.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('never, always, if-failed, if-succeeded (default if-failed)');
    expect(help).toContain(
      `--max-postpone-minutes <n> From the Software Center; 0 = not at all (0-${MAX_POSTPONE_MINUTES} minutes, default 0)`,
    );
    expect(help).toContain(
      '--no-fallback clients use only the DPs of their own boundary groups --override',
    );
    expect(help).toContain('--fallback clients may use neighbour and fallback DPs (the default)');
  });

  it('reads only the flags given, mapping switches to their values', () => {
    expect(parse([]).given).toEqual({});
    expect(
      parse(['--from-dp', '--no-fallback', '--run-over-slow', '--rerun', 'always']).given,
    ).toEqual({
      contentMode: 'from-dp',
      allowFallback: false,
      runOverSlowBoundary: true,
      rerun: 'always',
    });
    expect(parse(['--no-from-dp', '--max-postpone-minutes', '30']).given).toEqual({
      contentMode: 'download',
      maxPostponeMinutes: 30,
    });
  });

  it('checks values against the schema (choices, integer limits)', () => {
    expect(() => parse(['--rerun', 'sometimes'])).toThrow(/--rerun must be one of/);
    expect(() => parse(['--max-postpone-minutes', String(MAX_POSTPONE_MINUTES + 1)])).toThrow(
      `between 0 and ${MAX_POSTPONE_MINUTES}`,
    );
  });

  it('checks a text setting against its declared pattern and length (the restart command)', () => {
    const read = (args: string[]) => {
      const cmd = addSettingFlags(new Command('x').exitOverride(), ClientSettingsOptions);
      cmd.parse(args, { from: 'user' });
      return readSettingFlags(cmd, ClientSettingsOptions);
    };
    expect(read(['--reboot-command', '/usr/sbin/shutdown -r +1'])).toEqual({
      rebootCommand: '/usr/sbin/shutdown -r +1',
    });
    expect(() => read(['--reboot-command', 'systemctl reboot'])).toThrow(/absolute path/);
    expect(() => read(['--reboot-command', '/bin/x  two-spaces'])).toThrow(/absolute path/);
    expect(() => read(['--reboot-command', `/${'a'.repeat(200)}`])).toThrow(/at most 200/);
  });
});
